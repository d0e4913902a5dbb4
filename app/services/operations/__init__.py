"""Operations on running cases. Administrators': suspend and resume, terminate, migrate to another
version; each public call is one command that checks the actor is an administrator and records an
audit event on the case's chain (types listed in audit.search.ADMIN_EVENT_TYPES). Beside termination,
the initiator's own cancellation (撤销, cancellation.py), which ends a case the same way (early_end.py)."""
