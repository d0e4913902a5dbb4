"""Who belongs to a group and who a user name is, as the commands that create tasks ask it.

One step asks the same questions several times (is anyone there to take the task?
who gets the notification? who is the assignee?). The answers are read once per
transaction and kept in the session, without flushing it: users and groups are
not what a task command changes. The cache ends with the transaction.
"""
from collections import namedtuple

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Group, Unit, User, user_groups
from . import rows, savepoints, statements

_KEY = "members"
Member = namedtuple("Member", "id username")     # as much of a user as a task or a copy needs

# Built once: constructing a statement costs more than SQLite takes to run it.
_OF_GROUPS = select(User.id, User.username).join(user_groups, user_groups.c.user_id == User.id) \
    .join(Group, Group.id == user_groups.c.group_id) \
    .where(Group.key.in_(bindparam("keys", expanding=True)), User.active.is_(True)).order_by(User.username)
_BY_NAMES = select(User.id, User.username).where(
    User.username.in_(bindparam("names", expanding=True)), User.active.is_(True)).order_by(User.username)
_OF_GROUP = select(User.id, User.username).join(user_groups, user_groups.c.user_id == User.id) \
    .join(Group, Group.id == user_groups.c.group_id) \
    .where(Group.key == bindparam("key"), User.active.is_(True)).order_by(User.username)
_UNIT_KEY = select(Unit.key).where(Unit.id == bindparam("id"))
_USER_NAMED = rows.select_rows(User).where(User.username == bindparam("name"))


def _cache():
    return db.session.info.setdefault(_KEY, {})


def of_groups(group_keys):
    """Member(id, username) of the active members of any of the groups, by user name, each once."""
    keys = tuple(sorted({k for k in group_keys if k}))
    if not keys:
        return []
    cache = _cache()
    if ("groups", keys) not in cache:
        if len(keys) == 1:     # the usual case: a prepared statement (no IN list to expand)
            found = statements.all_rows(db.session, _OF_GROUP, {"key": keys[0]})
        else:
            found = db.session.connection().execute(_OF_GROUPS, {"keys": list(keys)}).all()
        cache[("groups", keys)] = list(dict.fromkeys(Member(*row) for row in found))
    return cache[("groups", keys)]


def by_names(usernames):
    """Member(id, username) of the active accounts with these user names."""
    names = tuple(sorted({n for n in usernames if n}))
    if not names:
        return []
    cache = _cache()
    if ("names", names) not in cache:
        found = db.session.connection().execute(_BY_NAMES, {"names": list(names)}).all()
        cache[("names", names)] = [Member(row.id, row.username) for row in found]
    return cache[("names", names)]


def user_named(username):
    """The User row for a user name (active or not), or None."""
    if not username:
        return None
    cache = _cache()
    if ("user", username) not in cache:
        found = rows.load(db.session, _USER_NAMED, {"name": username}, User)
        cache[("user", username)] = found[0][0] if found else None
    return cache[("user", username)]


def unit_key(unit_id):
    """The key of a unit (a user's, as an initiator's case data names it), or ""."""
    if unit_id is None:
        return ""
    found = statements.first_row(db.session, _UNIT_KEY, {"id": unit_id})
    return found[0] if found else ""


def forget(session):
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_when_the_transaction_ends(session, transaction):
    if transaction.parent is None:       # the outermost transaction: commit, rollback or close
        forget(session)


savepoints.reset_with(forget)            # a rolled-back savepoint may have changed who is in a group
