"""Processes at work: definitions and deploys, cases, tasks, approval actions, timers, the inbox."""
