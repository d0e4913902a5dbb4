"""The share of a command's work kept beside the unit of work, made to follow savepoints.

Some of what a command does is held in `session.info`, not in the ORM's unit of
work: rows inserted or updated by prepared statements (rows.py), rows queued to
be appended at commit (appends.py), e-mail to send after the commit (mailer.py),
the audit-chain heads it carries and the group members it has looked up. The
ORM undoes its own share of a rolled-back savepoint (`Session.begin_nested`);
this module undoes ours, so a savepoint means the same for both:

- an item is noted against the savepoint it was made in (`note`); a savepoint
  that rolls back takes out the items made in it or in the savepoints inside
  it (released or not) and gives them to the undo function registered for
  their key (`undo_with`);
- a value such as the carried audit heads is copied when a savepoint begins and
  put back when it rolls back (`restore_with`);
- caches are forgotten when any savepoint rolls back (`reset_with`);
- the noted lists end with the outermost transaction (commit, rollback or close),
  except those registered to outlive it (mail, sent after the commit).

What else happens when the outermost transaction ends (expunging rows a rollback
undid, sending mail after a commit) stays with each owner.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

_UNDO = {}        # session.info key -> function(session, items, savepoint) for the items of a rolled-back savepoint
_RESTORED = []    # session.info keys whose dict is copied at a savepoint's start, put back at its rollback
_RESETS = []      # function(session) called when any savepoint rolls back: caches that may now be wrong
_COPIES = "savepoint_copies"     # session.info: savepoint -> {key: copy}
_ENDS_WITH_TRANSACTION = [_COPIES]   # session.info keys dropped when the outermost transaction ends


def undo_with(key, undo=None, outlives_transaction=False):
    """Items noted under `key` and made in a savepoint that rolls back are given to
    `undo(session, items, savepoint)` (None: they are just dropped). The list itself ends with
    the transaction, unless it `outlives_transaction` (mail, sent after the commit)."""
    _UNDO[key] = undo
    if not outlives_transaction:
        _ENDS_WITH_TRANSACTION.append(key)


def restore_with(key):
    _RESTORED.append(key)


def reset_with(reset):
    _RESETS.append(reset)


def current(session):
    """The savepoint the session is in now, or None."""
    if isinstance(session, scoped_session):
        session = session()
    return session.get_nested_transaction()


def note(session, key, item):
    """Add `item` to the session's list under `key`, as made in the current savepoint (if any).
    (`key` must have been registered with `undo_with`.)"""
    if isinstance(session, scoped_session):       # called for every queued row: resolve the proxy once
        session = session()
    session.info.setdefault(key, []).append((session.get_nested_transaction(), item))


def items(session, key):
    return [item for _savepoint, item in session.info.get(key, ())]


def take(session, key):
    """Every item under `key`, removed from the session."""
    return [item for _savepoint, item in session.info.pop(key, ())]


def _enclosing(transaction):
    """The savepoint around `transaction`, or None where there is none."""
    parent = transaction.parent
    while parent is not None and not parent.nested:
        parent = parent.parent
    return parent


def inside(savepoint, of):
    """Whether `savepoint` (None: no savepoint) is `of` or lies within it."""
    while savepoint is not None:
        if savepoint is of:
            return True
        savepoint = _enclosing(savepoint)
    return False


@event.listens_for(Session, "after_transaction_create")
def _copy_at_start(session, transaction):
    if transaction.nested and _RESTORED:
        copies = {key: dict(session.info[key]) for key in _RESTORED if key in session.info}
        session.info.setdefault(_COPIES, {})[transaction] = copies


@event.listens_for(Session, "after_transaction_end")
def _end(session, transaction):
    if transaction.parent is None:      # commit, rollback or close: what the transaction noted ends with it
        for key in _ENDS_WITH_TRANSACTION:
            session.info.pop(key, None)
    elif transaction.nested:
        session.info.get(_COPIES, {}).pop(transaction, None)


@event.listens_for(Session, "after_rollback")
def _undo_on_rollback(session):
    rolled_back = session.get_nested_transaction()  # None: the outermost transaction (each owner's business)
    if rolled_back is None:
        return
    for key, undo in _UNDO.items():
        entries = session.info.get(key)
        if not entries:
            continue
        kept = [(made_in, item) for made_in, item in entries if not inside(made_in, rolled_back)]
        if len(kept) != len(entries):
            session.info[key] = kept
            if undo is not None:
                undo(session, [item for made_in, item in entries if inside(made_in, rolled_back)], rolled_back)
    copies = session.info.get(_COPIES, {}).get(rolled_back, {})
    for key in _RESTORED:
        if key in copies:
            session.info[key] = dict(copies[key])
        else:
            session.info.pop(key, None)
    for reset in _RESETS:
        reset(session)


def outermost_commit(session):
    """In an after_commit listener: whether the transaction itself committed (not a savepoint)."""
    return session.get_nested_transaction() is None
