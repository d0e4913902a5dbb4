"""Ending a case before its end event: what an administrator's termination (termination.py) and its
initiator's cancellation (cancellation.py) share, as Camunda's "delete process instance" with a reason.

Its open (or suspended) tasks are cancelled, their holders told (each caller says how); its timer jobs,
message subscriptions and open incidents end; the library records it carries are closed by the
registries' hooks (workflow/handlers.py `CASE_END_HOOKS`: a sharing request or a licence application
withdrawn, a project terminated …); the case ends as `terminated` with the reason on its row and one
audit event, `instance_terminated` or `instance_cancelled`, whose actor is the command's. All of it in
the caller's command, or nothing. The workflow state is kept as it was: the record of where it stood.
"""
from flask_babel import gettext as _
from sqlalchemy import select, update

from ...models import HumanTask, Incident, TimerJob
from ...models.jobs import JobStatus
from ...models.states import IncidentStatus, InstanceStatus, TaskStatus, transition
from ..audit import trail as audit
from ..errors import ValidationFailed
from ..workflow import definitions, subscriptions
from ..workflow.handlers import CASE_END_HOOKS
from ..workflow.inbox_rows import close_task

MAX_REASON = 500
TERMINATED, CANCELLED = "terminated", "cancelled"      # how it ended: the audit event is instance_<how>


def checked_reason(reason, how):
    """The reason as stored: required, at most MAX_REASON characters; else 422 naming the field `reason`."""
    reason = str(reason or "").strip()
    if not reason and how == TERMINATED:
        raise ValidationFailed(_("Say why the case is terminated."), {"reason": [_("A reason is required.")]})
    if not reason:
        raise ValidationFailed(_("Say why you cancel the application."), {"reason": [_("A reason is required.")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("The reason is too long."), {"reason": [
            _("At most %(n)d characters.", n=MAX_REASON)]})
    return reason


def end_case(ctx, instance, reason, how, tell, outcome=""):
    """End the locked, running or suspended `instance` inside the command `ctx`. `tell(task, step)`
    notifies the holder of each cancelled task (`step`: its name in both languages). Returns the
    cancelled tasks."""
    tasks = ctx.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id,
        HumanTask.status.in_((TaskStatus.OPEN, TaskStatus.SUSPENDED))).order_by(HumanTask.id)).scalars().all()
    for task in tasks:
        transition(task, TaskStatus, TaskStatus.CANCELLED)
        close_task(ctx, task)
        audit.record(ctx, "task_cancelled", actor=ctx.actor, instance_id=instance.id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={"reason": how})
        tell(task, definitions.step_label(task))
    ctx.session.execute(update(TimerJob).where(
        TimerJob.instance_id == instance.id,
        TimerJob.status.in_((JobStatus.PENDING, JobStatus.SUSPENDED, JobStatus.INCIDENT)))
        .values(status=JobStatus.CANCELLED))
    subscriptions.clear(ctx, instance)
    ctx.session.execute(update(Incident).where(      # nothing is left to retry
        Incident.instance_id == instance.id, Incident.status == IncidentStatus.OPEN)
        .values(status=IncidentStatus.RESOLVED, resolved_at=ctx.now))
    for close_records in CASE_END_HOOKS:     # their events follow the case's own (audit.record_after_next)
        close_records(ctx, instance, reason)
    transition(instance, InstanceStatus, InstanceStatus.TERMINATED)
    instance.end_reason, instance.ended_at, instance.outcome = reason, ctx.now, outcome
    instance.suspended_at, instance.next_timer_due, instance.current_steps = None, None, ""
    audit.record(ctx, f"instance_{how}", actor=ctx.actor, instance_id=instance.id,
                 data={"reason": reason, "cancelled_tasks": [t.id for t in tasks]})
    return tasks
