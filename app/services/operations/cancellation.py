"""撤销: the initiator cancels their own application while it is undecided (DingTalk's 撤销, the
"cancel" of ruoyi-vue-pro's BPM). The case ends as an administrator's termination ends it (early_end.py:
tasks cancelled, timers and subscriptions gone, the library records it carries withdrawn, status
`terminated`), with the initiator as the actor, the audit event `instance_cancelled`, the outcome
`cancelled_by_initiator`, and the holders of its open tasks told that the applicant withdrew it.

Who and when (`refusal`: the case page asks it before offering the button, the command again under
the case's row lock):
- only the case's initiator (403; an administrator who did not start it terminates it instead);
- only a case its initiator applied for: not one a message from another case's step started (the
  person whose decision sent it did not apply for it) (403);
- only when the process allows it: process property `initiatorMayCancel` (default true) (403);
- only while it is running: a suspended case waits for an administrator, an ended one has ended (409);
- only while it is undecided: the library records it carries decide that (a sharing request
  answered, a licence in force, an achievement published, a project approved:
  workflow/handlers.py `CANCEL_REFUSALS`) (409).
A reason is required, at most 500 characters (422), as for a termination.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import AuditEvent
from ...models.states import InstanceStatus
from ..audit.trail import chain_of
from ..command import command
from ..errors import Conflict, Forbidden
from ..identity.permissions import is_admin
from ..notify import notifications
from ..workflow import definitions
from ..workflow.handlers import CANCEL_REFUSALS
from ..workflow.loading import case_for_update
from .early_end import CANCELLED, checked_reason, end_case

OUTCOME = "cancelled_by_initiator"
RECEIVED = ("message_received", "signal_received")


def _started_by_another_case(session, instance):
    """Whether a message or signal thrown by another case's step started `instance`: its first two
    events are `instance_started` and the delivery, whose source names the sending case."""
    first = session.execute(select(AuditEvent.type, AuditEvent.data).where(
        AuditEvent.chain == chain_of(instance.id), AuditEvent.seq <= 2)).all()
    return any(kind in RECEIVED and ((data or {}).get("source") or {}).get("instance") for kind, data in first)


def _who_refusal(actor, instance, session):
    if actor is None or instance.started_by_id != actor.id:
        if is_admin(actor):
            return Forbidden(_("Only the person who started the case may cancel it; an administrator "
                               "terminates it instead."))
        return Forbidden(_("Only the person who started the case may cancel it."))
    if _started_by_another_case(session, instance):
        return Forbidden(_("Another case started this one; there is no application of yours to cancel."))
    if not definitions.compiled_by_id(instance.definition_id).settings.initiator_may_cancel:
        return Forbidden(_("This process does not let its initiator cancel a case."))
    return None


def _state_refusal(instance, session):
    if instance.status == InstanceStatus.SUSPENDED:
        return Conflict(_("The case is suspended by an administrator; it cannot be cancelled until it is resumed."))
    if instance.status != InstanceStatus.RUNNING:
        return Conflict(_("This case has already ended."))
    for decided in CANCEL_REFUSALS:
        message = decided(session, instance)
        if message:
            return Conflict(message)
    return None


def refusal(actor, instance, session=None):
    """Why `actor` may not cancel `instance` now (the error the command raises), or None."""
    session = session or db.session
    return _who_refusal(actor, instance, session) or _state_refusal(instance, session)


def may_cancel(actor, instance):
    """Whether a page offers `actor` the 撤销 of `instance` (the command checks again)."""
    return actor is not None and instance.started_by_id == actor.id and refusal(actor, instance) is None


def cancel_own_case(actor, instance_id, reason):
    """The initiator withdraws their running, undecided case, saying why. Returns the case (terminated)."""
    reason = checked_reason(reason, CANCELLED)
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        refused = refusal(actor, instance, ctx.session)
        if refused is not None:
            raise refused
        end_case(ctx, instance, reason, CANCELLED, lambda task, step: notifications.case_withdrawn(
            ctx, task, step, actor, reason), outcome=OUTCOME)
    return instance
