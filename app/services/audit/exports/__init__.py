"""Exports of cases' audit trails (CSV, XES, OCEL 2.0); see common.py."""
