"""The one conflict rule between licences of the same achievement (App. H 许可方式, docs/licences.md).

Two licences **overlap** when their territories overlap, their fields of use overlap and their
terms share at least one day (both ends inclusive). A territory or a field of use is read as a set
of items: the text is split at 、 , ， ; ； / and line breaks, each item trimmed, spaces collapsed
and compared case-insensitively; two sets overlap when they share an item, or when either holds a
word meaning "everywhere / any use" (全国, 全球, 不限, 全部, 任何, 中国, 中国境内, 中华人民共和国,
nationwide, worldwide, unlimited, any, all).

A licence is **live** while applied, accepted or in force (not refused, not expired). An exclusive
(排他) or sole (独占) licence blocks every other overlapping licence; so a new licence conflicts with
an overlapping live one when either of the two is exclusive or sole. Ordinary licences never
block each other.

`check` runs when a licence is applied for, revised, accepted and registered; the callers lock the
achievement's row first (`lock_achievement`), so two commands racing for overlapping exclusive
licences take turns and the second sees the first (409, naming it).
"""
import re

from flask_babel import gettext as _
from sqlalchemy import select

from ....models import Achievement, LicenceAgreement
from ....models.states import LicenceStatus, LicenceType
from ...errors import Conflict, NotFound

LIVE = (LicenceStatus.APPLIED, LicenceStatus.ACCEPTED, LicenceStatus.IN_FORCE)
EVERYWHERE = frozenset({"全国", "全球", "不限", "全部", "任何", "中国", "中国境内", "中华人民共和国", "全国范围",
                        "不限领域", "全部领域", "nationwide", "worldwide", "unlimited", "any", "all"})
SEPARATORS = re.compile(r"[、,，;；/\n\r]+")


def items(text):
    """The normalised items of a territory or field of use."""
    return frozenset(" ".join(part.split()).casefold() for part in SEPARATORS.split(str(text or "")) if part.strip())


def areas_overlap(first, second):
    a, b = items(first), items(second)
    if not a or not b or a & EVERYWHERE or b & EVERYWHERE:
        return True     # an empty scope is not narrowed: it is read as covering everything
    return bool(a & b)


def terms_overlap(first, second):
    return first.term_from <= second.term_to and second.term_from <= first.term_to


def overlap(first, second):
    return terms_overlap(first, second) and areas_overlap(first.territory, second.territory) and \
        areas_overlap(first.field_of_use, second.field_of_use)


def blocks(candidate, other):
    """Whether `other` (live) and `candidate` cannot both stand."""
    return (candidate.licence_type in LicenceType.BLOCKING or other.licence_type in LicenceType.BLOCKING) \
        and overlap(candidate, other)


def lock_achievement(session, achievement_id):
    """The achievement's row, locked until the command ends (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serializes writers). A licence command locks it after the case row, never before one."""
    achievement = session.execute(select(Achievement).where(Achievement.id == achievement_id)
                                  .with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
    if achievement is None:
        raise NotFound(_("Achievement %(id)s does not exist.", id=achievement_id))
    return achievement


def conflicting(session, achievement_id, candidate, exclude_id=None):
    """The first live licence of the achievement that `candidate` (a LicenceAgreement or anything with
    licence_type, territory, field_of_use, term_from, term_to) conflicts with, or None."""
    query = select(LicenceAgreement).where(LicenceAgreement.achievement_id == achievement_id,
                                           LicenceAgreement.status.in_(LIVE)).order_by(LicenceAgreement.id)
    if exclude_id is not None:
        query = query.where(LicenceAgreement.id != exclude_id)
    return next((other for other in session.execute(query).scalars() if blocks(candidate, other)), None)


def type_label(licence_type):
    return {LicenceType.ORDINARY: _("ordinary licence"), LicenceType.EXCLUSIVE: _("exclusive licence"),
            LicenceType.SOLE: _("sole licence")}.get(licence_type, licence_type)


def check(session, achievement_id, candidate, exclude_id=None):
    """Raise Conflict (409) naming the conflicting agreement: its number, type, territory and term."""
    other = conflicting(session, achievement_id, candidate, exclude_id)
    if other is not None:
        raise Conflict(_("The terms conflict with licence agreement %(number)s (%(type)s, territory %(territory)s, "
                         "field of use %(field)s, term %(start)s to %(end)s).", number=other.number,
                         type=type_label(other.licence_type), territory=other.territory, field=other.field_of_use,
                         start=other.term_from.isoformat(), end=other.term_to.isoformat()),
                       {"licence_type": [_("Conflicts with %(number)s.", number=other.number)]})
