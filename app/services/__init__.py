"""The command layer: one public call = one command = one transaction (command.py).

Grouped by concern: workflow/ (definitions, cases, tasks, approval, timers),
audit/ (trail, replay, search, exports), identity/ (users, permissions,
members), notify/ (notifications, mail), registries/ (one per registry of
the standard).
"""
