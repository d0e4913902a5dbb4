"""Every status in one place, with the transitions allowed between them.
An illegal transition raises; it is never silently ignored."""


class IllegalTransition(RuntimeError):
    pass


class InstanceStatus:
    RUNNING = "running"
    COMPLETED = "completed"      # reached an end event (the outcome says which)
    TERMINATED = "terminated"    # ended by an administrator

    TRANSITIONS = {RUNNING: {COMPLETED, TERMINATED}, COMPLETED: set(), TERMINATED: set()}
    ALL = (RUNNING, COMPLETED, TERMINATED)


class TaskStatus:
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"      # its step ended without it (another approver decided, a withdrawal, a removed signer)

    TRANSITIONS = {OPEN: {COMPLETED, CANCELLED}, COMPLETED: set(), CANCELLED: set()}
    ALL = (OPEN, COMPLETED, CANCELLED)


def transition(record, states, new):
    if new not in states.TRANSITIONS.get(record.status, set()):
        raise IllegalTransition(f"{type(record).__name__} {record.id}: {record.status} -> {new} is not allowed")
    record.status = new

