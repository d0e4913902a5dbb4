"""Requests from the library's pages that start or move an admission case (5.6.1, 5.6.4).

Each is one command: it checks who asks, then delivers the message of bpmn/achievement_admission.bpmn
in the same transaction, so a request either opens its step or is not made at all.
- `apply_directly`: a consortium member applies without a project; the case starts with them as
  the contributor who fills in the App. G form (message `achievement_admission`).
- `request_delisting`: the managing body asks for a listed achievement to be reviewed for delisting,
  with a reason (message `achievement_delisting` to the achievement's case).
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ....extensions import db
from ....models import Achievement, HumanTask, ProcessInstance
from ....models.states import AchievementStatus, InstanceStatus, TaskStatus
from ...command import command
from ...errors import Conflict, Forbidden, ValidationFailed
from ...identity.permissions import MANAGING_BODY
from ...workflow import message_routing
from ...workflow.loading import lock_case
from ...workflow.steps import apply_step
from ..consortium import consortia_of
from . import holders, records

PROCESS_KEY = "achievement_admission"
FORM_STEP = "fill_form"
ADMISSION_MESSAGE = "achievement_admission"
DELISTING_MESSAGE = "achievement_delisting"
MAX_REASON = 2000


def _source(ctx):
    return {"actor": ctx.actor.username if ctx.actor is not None else "system"}


def _unsubmitted_form(session, actor):
    """The actor's own 填写成果入库申请表 step of a direct application never submitted (no achievement
    registered from its case yet), if one is open: applying again returns to it."""
    return session.execute(select(HumanTask.id).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                           .where(ProcessInstance.process_key == PROCESS_KEY, HumanTask.element_id == FORM_STEP,
                                  HumanTask.assignee_id == actor.id, HumanTask.status == TaskStatus.OPEN,
                                  ProcessInstance.id.not_in(select(Achievement.instance_id).where(
                                      Achievement.instance_id.is_not(None))))
                           .order_by(HumanTask.id).limit(1)).scalar()


def apply_directly(actor):
    """A member of a consortium applies; returns the id of their step 填写成果入库申请表 in the new
    admission case (or in the one they opened before and have not submitted yet)."""
    with command(actor) as ctx:
        if actor is None or not consortia_of(ctx.session, actor):
            raise Forbidden(_("Only a member unit of a consortium may contribute an achievement."))
        waiting = _unsubmitted_form(ctx.session, actor)
        if waiting is not None:
            return waiting
        started = message_routing.deliver_message(ctx, ADMISSION_MESSAGE, {"contributor_user": actor.username},
                                                  _source(ctx), apply_step)
    return db.session.execute(select(HumanTask.id).where(      # its rows are written as the command ends
        HumanTask.instance_id == started[0].id, HumanTask.assignee_id == actor.id,
        HumanTask.status == TaskStatus.OPEN)).scalar_one()


def request_delisting(actor, achievement_id, reason):
    """The managing body asks for a delisting review of a published achievement."""
    reason = str(reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(_("Give the reason for delisting."), {"reason": [
            _("Required.") if not reason else _("At most %(n)d characters.", n=MAX_REASON)]})
    with command(actor) as ctx:
        if actor is None or MANAGING_BODY not in actor.group_keys:
            raise Forbidden(_("Only the managing body may ask for a delisting review."))
        achievement = records.load(ctx, achievement_id)
        records.require_status(achievement, AchievementStatus.PUBLISHED)
        case = lock_case(achievement.instance_id)
        if case is None or case.status != InstanceStatus.RUNNING:
            raise Conflict(_("The achievement's case is not running."))
        variables = {"delisting_reason": reason,
                     "agreements_in_force": holders.in_force_summary(ctx.session, achievement.id, ctx.now)}
        message_routing.deliver_message(ctx, DELISTING_MESSAGE, variables, _source(ctx), apply_step,
                                        business_key=case.business_key)
        records.record(ctx, "achievement_delisting_requested", achievement, case, reason=reason)
    return achievement
