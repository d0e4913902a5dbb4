"""Directed sharing requests from the pages and the API: the request command, and what a user
sees of the requests they made and of those made to their unit.

`request_sharing` is one command: it checks the requester (sharing.refusal) and the input, then
delivers the message `achievement_sharing_request` that starts the case bpmn/sharing_request.bpmn
(business key `<achievement number>-S<n>`), whose first service task records the grant. The grant
is recorded and the contributor's task opened in the same transaction, or nothing happens.
(The diagram lets API clients send the message directly only as administrators; its service task
applies the same rule, so no way in skips the checks.)
"""
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import func, select

from ....extensions import db
from ....models import AccessGrant, Achievement, HumanTask, ProcessInstance, User
from ....models.states import GrantStatus, TaskStatus
from ...command import command
from ...errors import Forbidden, NotFound
from ...workflow import message_routing
from ...workflow.steps import apply_step
from . import records, sharing

MESSAGE = "achievement_sharing_request"
CONSENT_STEP = "contributor_consent"      # the contributor's step in bpmn/sharing_request.bpmn


def _business_key(session, achievement):
    """`<achievement number>-S<n>`, n one more than the requests the achievement had (a taken key,
    or one taken at the same moment by another request, is a conflict: the unique key decides)."""
    seq = session.execute(select(func.count()).select_from(AccessGrant).where(
        AccessGrant.achievement_id == achievement.id)).scalar() + 1
    while session.execute(select(ProcessInstance.id).where(
            ProcessInstance.business_key == f"{achievement.number}-S{seq}")).first() is not None:
        seq += 1
    return f"{achievement.number}-S{seq}"


def request_sharing(actor, achievement_id, purpose, days):
    """`actor` asks to read a published directed achievement for `purpose`, for `days` days (1-365).
    Returns the AccessGrant, *requested*; the contributor answers in the case's step."""
    if actor is None:
        raise Forbidden(_("Log in to ask for an achievement."))
    purpose, days = sharing.check_input(purpose, days)
    with command(actor) as ctx:
        achievement = records.load(ctx, achievement_id)
        sharing.check_requester(ctx, achievement)
        source = {"actor": actor.username}
        [case] = message_routing.deliver_message(
            ctx, MESSAGE, {"achievement_id": achievement.id, "purpose": purpose, "days": days}, source,
            apply_step, business_key=_business_key(ctx.session, achievement))
        grant = ctx.session.execute(select(AccessGrant).where(AccessGrant.instance_id == case.id)).scalar_one()
    return grant


def _now():
    return datetime.now(timezone.utc)


def request_page(actor, achievement_id):
    """(achievement, why a request would be refused now or ""), for the request form: a 404 unless
    the actor sees the achievement's card."""
    if actor is None:
        raise Forbidden(_("Log in to ask for an achievement."))
    achievement = db.session.get(Achievement, records.valid_id(achievement_id))
    if achievement is None:
        raise NotFound(_("There is no achievement %(id)s that you may ask for.", id=achievement_id))
    refused = sharing.refusal(db.session, actor, achievement, _now())
    if isinstance(refused, NotFound):
        raise refused
    return achievement, refused.message if refused is not None else ""


def may_request(user, achievement):
    """Whether a page offers `user` the request (the command checks again)."""
    return user is not None and sharing.refusal(db.session, user, achievement, _now()) is None


@dataclass
class SharingRow:
    grant: AccessGrant
    achievement: Achievement
    requester: User
    in_force: bool
    days_left: int
    consent_task_id: int | None = None     # the contributor's open step, on the contributor's list

    @property
    def days(self):
        if self.grant.valid_from is None or self.grant.valid_until is None:
            return None
        return (self.grant.valid_until - self.grant.valid_from).days


def _row(grant, achievement, requester, now, task_id=None):
    in_force = grant.status == GrantStatus.GRANTED and grant.valid_from is not None and \
        grant.valid_from <= now < grant.valid_until
    left = math.ceil((grant.valid_until - now).total_seconds() / 86400) if in_force else 0
    return SharingRow(grant, achievement, requester, in_force, left, task_id)


def _rows(condition, now, limit, with_tasks=False):
    found = db.session.execute(
        select(AccessGrant, Achievement, User).join(Achievement, AccessGrant.achievement_id == Achievement.id)
        .join(User, AccessGrant.requester_id == User.id).where(condition)
        .order_by(AccessGrant.requested_at.desc(), AccessGrant.id.desc()).limit(limit)).all()
    tasks = {}
    if with_tasks:
        waiting = [g.instance_id for g, _a, _u in found if g.status == GrantStatus.REQUESTED and g.instance_id]
        if waiting:
            tasks = dict(db.session.execute(select(HumanTask.instance_id, HumanTask.id).where(
                HumanTask.instance_id.in_(waiting), HumanTask.element_id == CONSENT_STEP,
                HumanTask.status == TaskStatus.OPEN)).all())
    return [_row(g, a, u, now, tasks.get(g.instance_id)) for g, a, u in found]


def my_requests(actor, limit=200):
    """The requests `actor` made, newest first."""
    if actor is None:
        raise Forbidden(_("Log in to see your sharing requests."))
    return _rows(AccessGrant.requester_id == actor.id, _now(), limit)


def requests_to_me(actor, limit=200):
    """The requests made for the achievements `actor`'s unit (or `actor`) contributed, newest first,
    each waiting one with the contributor's open step."""
    if actor is None:
        raise Forbidden(_("Log in to see your sharing requests."))
    return _rows(records.contributed_by(actor), _now(), limit, with_tasks=True)


def overview(actor):
    """The page "my sharing requests": (the requests `actor` made, those made to `actor`'s unit)."""
    return my_requests(actor), requests_to_me(actor)


def status_name(value):
    """A grant's status in the reader's language."""
    return {GrantStatus.REQUESTED: _("Waiting for the contributor"), GrantStatus.GRANTED: _("Access granted"),
            GrantStatus.REFUSED: _("Not granted"), GrantStatus.EXPIRED: _("Access ended"),
            GrantStatus.WITHDRAWN: _("Request withdrawn")}.get(value, value or "")
