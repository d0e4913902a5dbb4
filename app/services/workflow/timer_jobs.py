"""Timer jobs: written by the command whose step creates them (firing them is timer_firing.py).

- `sync_jobs` (inside every command, from apply_step): one pending job per
  waiting BPMN timer; jobs of timers that are gone are cancelled.
- `schedule_task_due`: a job for a task's due time when its step has a timeout policy.
- `schedule_start_timers` (inside the deploy command): one pending job per
  timer start event of the new version; the jobs of older versions of the
  same process are cancelled (a new version replaces the old schedule).
"""
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import func, select, update

from ...engine import runner, start_timers
from ...extensions import db
from ...models import ProcessDefinition, TimerJob
from ...models.jobs import JobStatus
from . import definitions


def now():
    """The service clock (tests set TIMER_CLOCK to move time)."""
    clock = current_app.config.get("TIMER_CLOCK")
    return clock() if clock else datetime.now(timezone.utc)


def sync_jobs(ctx, instance, workflow, compiled=None):
    """Make the pending BPMN timer jobs of an instance match its waiting timers (inside a command)."""
    if compiled is not None and not compiled.has_timer_events and instance.next_timer_due is None:
        return      # the diagram has no timer to wait at: no need to look through the case for one
    waiting = {spiff_id: (element, due) for spiff_id, element, due in runner.waiting_timers(workflow)}
    if not waiting and instance.next_timer_due is None:
        return      # no timer before, none now: nothing to read or write (the common step)
    pending = ctx.session.execute(select(TimerJob).where(
        TimerJob.instance_id == instance.id, TimerJob.kind == "bpmn_timer",
        TimerJob.status == JobStatus.PENDING)).scalars().all()
    known = set()
    for job in pending:
        if job.spiff_task_id in waiting:
            known.add(job.spiff_task_id)
            job.due_at = waiting[job.spiff_task_id][1]      # a cycle timer moves on to its next time
        else:
            job.status = JobStatus.CANCELLED
    for spiff_id, (element, due) in waiting.items():
        if spiff_id not in known:
            ctx.session.add(TimerJob(kind="bpmn_timer", instance_id=instance.id, element_id=element,
                                    spiff_task_id=spiff_id, due_at=due))
    dues = [due for _element, due in waiting.values()]
    instance.next_timer_due = min(dues) if dues else None


def schedule_task_due(ctx, task, step):
    """A job for a task's due time when the step configures what happens then (inside a command)."""
    policy = step.timeout_policy if step is not None else None
    if task.due_at is None or not policy:
        return
    ctx.session.add(TimerJob(kind="task_due", instance_id=task.instance_id, element_id=task.element_id,
                            spiff_task_id=task.spiff_task_id, task_id=task.id, due_at=task.due_at, policy=policy))


def cancel_task_jobs(ctx, task):
    ctx.session.execute(update(TimerJob).where(TimerJob.task_id == task.id, TimerJob.status == JobStatus.PENDING)
                       .values(status=JobStatus.CANCELLED))


def schedule_start_timers(definition, compiled):
    """Jobs for a newly deployed version's timer start events (inside the deploy command)."""
    older = select(ProcessDefinition.id).where(ProcessDefinition.key == definition.key,
                                               ProcessDefinition.id != definition.id)
    db.session.execute(update(TimerJob).where(    # parked incidents too: a retry must not revive them
        TimerJob.kind == "start_timer", TimerJob.status.in_((JobStatus.PENDING, JobStatus.INCIDENT)),
        TimerJob.definition_id.in_(older)).values(status=JobStatus.CANCELLED))
    anchor = now()
    for timer in compiled.start_timers:
        due = start_timers.first_due(timer, anchor)
        if due is None:
            continue        # a cycle that ended before this deploy: nothing to start
        db.session.add(TimerJob(kind="start_timer", definition_id=definition.id, element_id=timer.element_id,
                                due_at=due, policy={"anchor": anchor.isoformat(), "occurrence": due.isoformat()}))


def ensure_start_schedules():
    """Schedule the timer start events of every process's newest version that has never had a start
    job (versions deployed before timer start events were scheduled). Inside the deploy command."""
    for definition in definitions.list_latest():
        compiled = definitions.compiled(definition)
        if compiled.start_timers and db.session.execute(select(TimerJob.id).where(
                TimerJob.kind == "start_timer", TimerJob.definition_id == definition.id).limit(1)).first() is None:
            schedule_start_timers(definition, compiled)


def start_schedule(definition_ids):
    """definition id -> the next pending start time of its timer start event (for the admin pages)."""
    if not definition_ids:
        return {}
    rows = db.session.execute(select(TimerJob.definition_id, func.min(TimerJob.due_at)).where(
        TimerJob.kind == "start_timer", TimerJob.status == JobStatus.PENDING,
        TimerJob.definition_id.in_(list(definition_ids))).group_by(TimerJob.definition_id))
    return dict(rows.all())


def next_due():
    return db.session.execute(select(func.min(TimerJob.due_at)).where(
        TimerJob.status == JobStatus.PENDING)).scalar()


def open_incident_count():
    """Timer jobs parked as incidents (for the metrics; one count on the (status, due_at) index)."""
    return db.session.execute(select(func.count()).select_from(TimerJob).where(
        TimerJob.status == JobStatus.INCIDENT)).scalar()
