"""Reading the achievement library: the catalogue (filters, search, sort, pages), the public page,
the rows of an export, and one achievement. Every query goes through access.py: `listed_for` for
the catalogue, `readable_by` for everything else. An achievement the reader may not even see in
the catalogue does not exist for them (404), as its number would otherwise tell that it does.

The search (`q`) looks in the name of every listed achievement and in the summary only of those
the reader may read, so a card never answers for words of a summary its reader may not see.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, not_, or_, select

from ....domain.chains import CHAINS
from ....extensions import db
from ....models import Achievement
from ....models.states import AchievementKind, AchievementStatus, ShareLevel
from ...errors import NotFound
from ...workflow.queries import Page
from .. import filters
from . import access, records

SORTS = {"number": Achievement.number, "name": Achievement.name, "published": Achievement.published_at,
         "contributor": Achievement.contributor_name, "created": Achievement.created_at}
DEFAULT_SORT = "-published"
EXPORT_LIMIT = 10_000
CHOICES = {"kind": AchievementKind.ALL, "chain": tuple(CHAINS), "share_level": ShareLevel.ALL,
           "status": AchievementStatus.ALL}


@dataclass
class AchievementFilter:
    kind: str = ""
    chain: str = ""
    share_level: str = ""
    status: str = ""
    q: str = ""                      # words of the name (and of the summary, where readable)
    sort: str = DEFAULT_SORT         # a SORTS key, "-" first for descending

    @classmethod
    def from_args(cls, args):
        """From query parameters (strings); a bad value is a 422 naming its parameter."""
        return cls(**filters.parse(args, CHOICES, {"q": 100}, SORTS, DEFAULT_SORT))


def _search(user, now, text):
    words = [w for w in text.split() if w]
    if not words:
        return None
    in_name = and_(*[Achievement.name.contains(w, autoescape=True) for w in words])
    in_text = and_(*[or_(Achievement.name.contains(w, autoescape=True),
                         Achievement.summary.contains(w, autoescape=True)) for w in words])
    return or_(and_(access.readable_by(user, now), in_text), and_(not_(access.readable_by(user, now)), in_name))


def _filtered(condition, user, now, f):
    query = select(Achievement).where(condition)
    for name in CHOICES:
        value = getattr(f, name)
        if value:
            query = query.where(getattr(Achievement, name) == value)
    search = _search(user, now, f.q)
    if search is not None:
        query = query.where(search)
    return query


def _ordered(query, sort):
    column = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        return query.order_by(column.desc().nulls_last(), Achievement.id.desc())
    return query.order_by(column.asc().nulls_last(), Achievement.id.asc())


def _page(query, sort, page, per_page):
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(_ordered(query, sort).limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def list_achievements(user, now: datetime, f=None, page=1, per_page=20):
    """One page of the catalogue `user` sees, with `readable` set on each item (else a card)."""
    f = f or AchievementFilter()
    found = _page(_filtered(access.listed_for(user, now), user, now, f), f.sort, page, per_page)
    mark_readable(user, now, found.items)
    return found


def public_achievements(now: datetime, f=None, page=1, per_page=20):
    """The public page: what anybody may read (published, share level public)."""
    f = f or AchievementFilter()
    found = _page(_filtered(access.readable_by(None, now), None, now, f), f.sort, page, per_page)
    mark_readable(None, now, found.items)
    return found


def export_rows(user, now: datetime, f=None):
    """Every achievement `user` may read that passes the filter (up to EXPORT_LIMIT): never a card."""
    f = f or AchievementFilter()
    return db.session.execute(_ordered(_filtered(access.readable_by(user, now), user, now, f), f.sort)
                              .limit(EXPORT_LIMIT)).scalars().all()


def mark_readable(user, now, items):
    ids = [a.id for a in items]
    readable = set(db.session.execute(select(Achievement.id).where(
        Achievement.id.in_(ids), access.readable_by(user, now))).scalars()) if ids else set()
    for achievement in items:
        achievement.readable = achievement.id in readable
    return items


def listed_achievement(user, now: datetime, achievement_id):
    """The achievement if `user` sees it in the catalogue, with `readable` set; else NotFound."""
    if not records.is_id(achievement_id):
        raise NotFound(_("Achievement %(id)s does not exist.", id=achievement_id))
    achievement = db.session.execute(select(Achievement).where(
        Achievement.id == achievement_id, access.listed_for(user, now))).scalar_one_or_none()
    if achievement is None:
        raise NotFound(_("Achievement %(id)s does not exist.", id=achievement_id))
    return mark_readable(user, now, [achievement])[0]
