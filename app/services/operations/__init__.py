"""Administrators' operations on running cases: suspend and resume, terminate, migrate to another
version. Each public call is one command that checks the actor is an administrator and records an
audit event on the case's chain (types listed in audit.search.ADMIN_EVENT_TYPES)."""
