"""Terminate a case with a reason (Camunda's "delete process instance" with a delete reason).

Its open (or suspended) tasks are cancelled; its timer jobs, message subscriptions and open incidents
end; the case ends as `terminated` with the reason on its row and in its audit trail, and the
initiator and the holders of its tasks are told. The workflow state is kept as it was: the record of where it stood.
"""
from flask_babel import gettext as _
from sqlalchemy import select, update

from ...models import HumanTask, Incident, TimerJob
from ...models.jobs import JobStatus
from ...models.states import IncidentStatus, InstanceStatus, TaskStatus, transition
from ..audit import trail as audit
from ..command import command
from ..errors import Conflict, ValidationFailed
from ..notify import notifications
from ..workflow import definitions, subscriptions
from ..workflow.inbox_rows import close_task
from ..workflow.loading import case_for_update
from .guard import require_admin

MAX_REASON = 500


def terminate(actor, instance_id, reason):
    require_admin(actor)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the case is terminated."), {"reason": [_("A reason is required.")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("The reason is too long."), {"reason": [
            _("At most %(n)d characters.", n=MAX_REASON)]})
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if instance.status not in (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED):
            raise Conflict(_("This case has already ended (%(status)s).", status=instance.status))
        tasks = ctx.session.execute(select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.status.in_((TaskStatus.OPEN, TaskStatus.SUSPENDED))).order_by(HumanTask.id)).scalars().all()
        for task in tasks:
            transition(task, TaskStatus, TaskStatus.CANCELLED)
            close_task(ctx, task)
            audit.record(ctx, "task_cancelled", actor=actor, instance_id=instance.id, element_id=task.element_id,
                         element_name=task.name, task_id=task.id, data={"reason": "terminated"})
            notifications.task_cancelled(ctx, task, definitions.step_label(task))
        ctx.session.execute(update(TimerJob).where(
            TimerJob.instance_id == instance.id,
            TimerJob.status.in_((JobStatus.PENDING, JobStatus.SUSPENDED, JobStatus.INCIDENT)))
            .values(status=JobStatus.CANCELLED))
        subscriptions.clear(ctx, instance)
        ctx.session.execute(update(Incident).where(      # nothing is left to retry
            Incident.instance_id == instance.id, Incident.status == IncidentStatus.OPEN)
            .values(status=IncidentStatus.RESOLVED, resolved_at=ctx.now))
        transition(instance, InstanceStatus, InstanceStatus.TERMINATED)
        instance.end_reason, instance.ended_at = reason, ctx.now
        instance.suspended_at, instance.next_timer_due, instance.current_steps = None, None, ""
        audit.record(ctx, "instance_terminated", actor=actor, instance_id=instance.id,
                     data={"reason": reason, "cancelled_tasks": [t.id for t in tasks]})
        notifications.notify(ctx, [instance.started_by_id], "terminated", notifications.said(
            "Your case %(key)s was terminated by an administrator: %(reason)s",
            key=instance.business_key, reason=reason), instance.id)
    return instance
