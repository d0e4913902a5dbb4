"""The modeler's people picker: users (by name, user name, unit or group) and groups (by key or name),
for its assignee, candidate user and candidate group fields (administrators)."""
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Group
from ..errors import Forbidden
from .permissions import is_admin
from .users import directory

LIMIT = 20


def _matches(needle, *texts):
    return not needle or any(needle in (text or "").lower() for text in texts)


def search(actor, query):
    """(users, groups) matching `query` (empty: the first of each), at most LIMIT of each."""
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    needle = (query or "").strip().lower()
    users = [user for user in directory()
             if _matches(needle, user.display_name, user.username, user.unit.name if user.unit else "",
                         *(g.key for g in user.groups), *(g.name for g in user.groups))]
    groups = [group for group in db.session.execute(select(Group).order_by(Group.key)).scalars()
              if _matches(needle, group.key, group.name)]
    return users[:LIMIT], groups[:LIMIT]
