"""The modeler's people picker: users (the people search every picker uses, users.search_people) and
groups (by key or name), for its assignee, candidate user and candidate group fields (administrators)."""
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Group
from ..errors import Forbidden
from .permissions import is_admin
from .users import search_people

LIMIT = 20


def _matches(needle, *texts):
    return not needle or any(needle in (text or "").lower() for text in texts)


def search(actor, query):
    """(users, groups) matching `query` (empty: the first of each), at most LIMIT of each."""
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    needle = (query or "").strip().lower()
    groups = [group for group in db.session.execute(select(Group).order_by(Group.key)).scalars()
              if _matches(needle, group.key, group.name)]
    return search_people(query, LIMIT), groups[:LIMIT]
