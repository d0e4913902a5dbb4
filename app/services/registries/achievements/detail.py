"""An achievement's page in one read: the App. G record (or only its card, for a reader who may
see it in the catalogue but not read it), its proof files, the problem it solves and the project
it came from (each only if the reader may see them), its history, and what the reader may do.
Everything through access.py: one rule for who may read it."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ....extensions import db
from ....models import Achievement, Attachment, BreakthroughProject, LicenceAgreement, QualityProblem
from ....models.states import AchievementStatus
from ...audit import trail
from ...errors import NotFound
from ...identity.permissions import MANAGING_BODY
from ...workflow import attachment_store
from ..problems.visibility import problem_visible_to
from ..projects.visibility import project_visible_to
from . import licence_queries, queries, records, sharing_requests

EVENT_PREFIX = "achievement_"


@dataclass
class AchievementDetail:
    achievement: Any
    readable: bool
    proofs: list = field(default_factory=list)          # Attachment rows of the admission case
    problem: Any = None                                  # the problem it solves, if the reader sees it
    project: Any = None                                  # the project it came from, if the reader sees it
    history: list = field(default_factory=list)          # its achievement_* audit events
    own: bool = False                                    # the reader's unit contributed it
    may_request_sharing: bool = False
    may_apply_licence: bool = False
    may_request_delisting: bool = False
    licences: list = field(default_factory=list)         # the licence agreements the reader may see
    withdrawn: bool = False                              # the contributor's own, delisted: its card and why


def _actions(user, detail, now):
    achievement = detail.achievement
    published = achievement.status == AchievementStatus.PUBLISHED
    if user is None or not published:
        return
    detail.may_request_delisting = MANAGING_BODY in user.group_keys
    if detail.own:
        return
    detail.may_request_sharing = sharing_requests.may_request(user, achievement)
    detail.may_apply_licence = licence_queries.may_apply(user, achievement, now)


def _linked(user, achievement, detail):
    if achievement.problem_id is not None:
        detail.problem = db.session.execute(select(QualityProblem).where(
            QualityProblem.id == achievement.problem_id, problem_visible_to(user))).scalar_one_or_none() \
            if user is not None else None
    if achievement.project_id is not None and user is not None:
        detail.project = db.session.execute(select(BreakthroughProject).where(
            BreakthroughProject.id == achievement.project_id, project_visible_to(user))).scalar_one_or_none()


def _own_withdrawn(user, achievement_id):
    """The contributor's own delisted achievement (they are told it left the library, and why)."""
    achievement = db.session.get(Achievement, achievement_id) if records.is_id(achievement_id) else None
    if achievement is None or achievement.status != AchievementStatus.DELISTED:
        return None
    return achievement if records.is_contributor(user, achievement) else None


def achievement_detail(user, now: datetime, achievement_id) -> AchievementDetail:
    try:
        achievement = queries.listed_achievement(user, now, achievement_id)
    except NotFound:
        withdrawn = _own_withdrawn(user, achievement_id)
        if withdrawn is None:
            raise
        return AchievementDetail(withdrawn, readable=False, own=True, withdrawn=True)
    detail = AchievementDetail(achievement, achievement.readable, own=records.is_contributor(user, achievement))
    if detail.readable:
        if achievement.instance_id is not None:
            detail.proofs = proofs_of(achievement)
            detail.history = [e for e in trail.events_of(achievement.instance_id) if e.type.startswith(EVENT_PREFIX)]
        _linked(user, achievement, detail)
    detail.licences = [licence for licence in db.session.execute(select(LicenceAgreement).where(
        LicenceAgreement.achievement_id == achievement.id).order_by(LicenceAgreement.id)).scalars()
        if licence_queries.may_see(user, licence)]
    _actions(user, detail, now)
    return detail


def proofs_of(achievement):
    return db.session.execute(select(Attachment).where(Attachment.instance_id == achievement.instance_id)
                              .order_by(Attachment.id)).scalars().all()


def open_proof(user, now: datetime, achievement_id, token):
    """A proof file of an achievement the reader may read, and its bytes; NotFound otherwise (also
    for a token of another case: files are reached through the achievement they prove)."""
    achievement = queries.listed_achievement(user, now, achievement_id)
    row = db.session.execute(select(Attachment).where(
        Attachment.token == str(token or "")[:64], Attachment.instance_id == achievement.instance_id)
    ).scalar_one_or_none() if achievement.readable and achievement.instance_id is not None else None
    if row is None:
        raise NotFound(_("No such file."))
    try:
        return row, attachment_store.store().open(row.sha256)
    except FileNotFoundError:
        raise NotFound(_("No such file.")) from None

