"""Telling people: in-app notifications and their e-mail copies."""
