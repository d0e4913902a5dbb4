"""Append-only rows a command writes in one batch per table, just before it commits.

Audit events, notifications and CC copies are never read back or changed by the command
that writes them, so building them as ORM objects and letting the unit of work
sort, flush and post-fetch each one is wasted work on every step. They are
queued here as plain rows and inserted with one multi-row statement per table
when the transaction commits (after the ORM flush, so the instance and task rows
they point to exist). They commit with the rest of the command or not at all:
a rollback drops the queue. Reads of these tables inside a command must call
`write` first (audit.head_of, events_of and current_heads do); no command reads
back the notifications it wrote.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import rows, savepoints, statements

_KEY = "appends"
_WRITTEN = "appends_written_in_savepoint"


def add(session, table, row):
    """Queue one row for `table` (a sqlalchemy Table) in this session's transaction."""
    savepoints.note(session, _KEY, (table, row))


def pending(session):
    return bool(session.info.get(_KEY))


_BEFORE_WRITE = []     # function(session): last rows to queue before the queue is written


def before_write(hook):
    _BEFORE_WRITE.append(hook)


def write(session):
    """Insert the queued rows now, in order, one statement per run of the same table."""
    for hook in _BEFORE_WRITE:
        hook(session)
    entries = session.info.pop(_KEY, None)
    if not entries:
        return
    if savepoints.current(session) is not None:
        # Written inside a savepoint: if it rolls back, the rows queued before it go back in the queue.
        for entry in entries:
            savepoints.note(session, _WRITTEN, entry)
    queued = [item for _made_in, item in entries]
    rows.write_updates(session)     # the rows they reference first: changed rows by statement, …
    session.flush()                 # … the rest by the unit of work (nothing left to do, usually)
    run_table, run = None, []
    for table, row in queued:
        if table is not run_table and run:
            statements.execute_many(session, _insert(run_table), run)
            run = []
        run_table = table
        run.append(row)
    if run:
        statements.execute_many(session, _insert(run_table), run)


_inserts = {}


def _insert(table):
    """One INSERT per table, built once: a new statement object would be compiled-cache keyed anew each time."""
    statement = _inserts.get(table)
    if statement is None:
        statement = _inserts[table] = table.insert()
    return statement


@event.listens_for(Session, "before_commit")
def _write_before_commit(session):
    write(session)


def _queue_again(session, written, savepoint):
    """Rows queued before `savepoint` but written inside it, which rolled back: queued again, first."""
    again = [(made_in, item) for made_in, item in written if not savepoints.inside(made_in, savepoint)]
    if again:
        session.info[_KEY] = again + session.info.get(_KEY, [])


# Committed rows were written before the commit; anything still queued when the outermost
# transaction ends (rollback, close) belongs to work that did not happen, and goes with it. A
# savepoint that rolls back drops what was queued inside it; a released one keeps it.
savepoints.undo_with(_KEY)
savepoints.undo_with(_WRITTEN, _queue_again)
