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



class ProblemStatus:
    """A quality problem (standard 5.4.2): identified → analysing → in breakthrough (a project was
    approved, 5.5.3) → solved (its project was accepted, 5.5.5). The periodic review (5.4.5) may
    merge a duplicate into another problem or delist one that no longer applies, while nobody is
    working on it yet; solved, merged and delisted problems stay in the library as history."""
    IDENTIFIED = "identified"
    ANALYSING = "analysing"
    IN_BREAKTHROUGH = "in_breakthrough"
    SOLVED = "solved"
    MERGED = "merged"
    DELISTED = "delisted"

    TRANSITIONS = {IDENTIFIED: {ANALYSING, MERGED, DELISTED}, ANALYSING: {IN_BREAKTHROUGH, MERGED, DELISTED},
                   IN_BREAKTHROUGH: {SOLVED}, SOLVED: set(), MERGED: set(), DELISTED: set()}
    ALL = (IDENTIFIED, ANALYSING, IN_BREAKTHROUGH, SOLVED, MERGED, DELISTED)
    # what a project lifecycle may set (set_problem_status); merging and delisting have their own commands
    PROGRESS = (ANALYSING, IN_BREAKTHROUGH, SOLVED)


class ProblemCategory:
    """Standard 5.4.3."""
    TECHNOLOGY = "technology"
    MANAGEMENT = "management"
    BRAND = "brand"
    INFRASTRUCTURE = "infrastructure"
    OTHER = "other"
    ALL = (TECHNOLOGY, MANAGEMENT, BRAND, INFRASTRUCTURE, OTHER)
