"""Timers: jobs written with the step that creates them, fired exactly once by the scheduler.

- `sync_jobs` (inside every command, from apply_step): one pending job per
  waiting BPMN timer; jobs of timers that are gone are cancelled.
- `schedule_start_timers` (inside the deploy command): one pending job per
  timer start event of the new version; the jobs of older versions of the
  same process are cancelled (a new version replaces the old schedule).
- `fire_due` (the scheduler, the CLI, tests): claims one due job at a time in
  its own transaction (`UPDATE … WHERE status = 'pending'` — a second process
  finds it taken), acts through the engine and commits job, state, inbox and
  audit together. A failure rolls the step back and is retried with backoff,
  then parked as an incident an administrator sees and can retry.
"""
import logging
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select, update

from ..engine import runner, start_timers
from ..extensions import db
from ..models import HumanTask, ProcessDefinition, ProcessInstance, TimerJob
from ..models.jobs import JobStatus
from ..models.states import InstanceStatus, TaskStatus
from . import audit, definitions, notifications
from .errors import Forbidden, NotFound
from .permissions import is_admin
from .transaction import command

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def now():
    """The service clock (tests set TIMER_CLOCK to move time)."""
    clock = current_app.config.get("TIMER_CLOCK")
    return clock() if clock else datetime.now(timezone.utc)


def sync_jobs(instance, workflow, compiled=None):
    """Make the pending BPMN timer jobs of an instance match its waiting timers (inside a command)."""
    if compiled is not None and not compiled.has_timer_events and instance.next_timer_due is None:
        return      # the diagram has no timer to wait at: no need to look through the case for one
    waiting = {spiff_id: (element, due) for spiff_id, element, due in runner.waiting_timers(workflow)}
    if not waiting and instance.next_timer_due is None:
        return      # no timer before, none now: nothing to read or write (the common step)
    pending = db.session.execute(select(TimerJob).where(
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
            db.session.add(TimerJob(kind="bpmn_timer", instance_id=instance.id, element_id=element,
                                    spiff_task_id=spiff_id, due_at=due))
    dues = [due for _element, due in waiting.values()]
    instance.next_timer_due = min(dues) if dues else None


def schedule_task_due(task, step):
    """A job for a task's due time when the step configures what happens then (inside a command)."""
    policy = step.timeout_policy if step is not None else None
    if task.due_at is None or not policy:
        return
    db.session.add(TimerJob(kind="task_due", instance_id=task.instance_id, element_id=task.element_id,
                            spiff_task_id=task.spiff_task_id, task_id=task.id, due_at=task.due_at, policy=policy))


def cancel_task_jobs(task):
    db.session.execute(update(TimerJob).where(TimerJob.task_id == task.id, TimerJob.status == JobStatus.PENDING)
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


def _claim(at):
    """The id of one due job this process now owns, or None."""
    query = select(TimerJob.id).where(TimerJob.status == JobStatus.PENDING, TimerJob.due_at <= at) \
        .order_by(TimerJob.due_at, TimerJob.id).limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)   # other workers take other jobs meanwhile
    return db.session.execute(query).scalar()


def fire_due(limit=1000, at=None):
    """Fire the jobs due by `at` (default: now), each in its own transaction. Returns how many fired."""
    fired = 0
    while fired < limit:
        moment, job_id = at or now(), None
        try:
            with command():
                job_id = _claim(moment)
                if job_id is None:
                    return fired
                taken = db.session.execute(update(TimerJob).where(
                    TimerJob.id == job_id, TimerJob.status == JobStatus.PENDING)
                    .values(status=JobStatus.DONE, fired_at=moment, fired=TimerJob.fired + 1)).rowcount
                if not taken:               # another process fired it first
                    continue
                _act(db.session.get(TimerJob, job_id), moment)
        except Exception as exc:            # everything the job did is rolled back; count the failure
            if job_id is None:
                raise
            with command():
                _failed(db.session.get(TimerJob, job_id), moment, exc)
        fired += 1
    return fired


def _failed(job, moment, exc):
    job.attempts += 1
    job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if job.attempts >= MAX_ATTEMPTS:
        job.status = JobStatus.INCIDENT
        audit.record("timer_incident", instance_id=job.instance_id, element_id=job.element_id,
                     data={"job": job.id, "error": job.last_error, "attempts": job.attempts})
        log.error("timer job %s parked as an incident: %s", job.id, job.last_error)
    else:
        job.status = JobStatus.PENDING
        job.due_at = moment + timedelta(seconds=2 ** job.attempts)
        log.warning("timer job %s failed (attempt %s), retrying: %s", job.id, job.attempts, job.last_error)


def _act(job, moment):
    if job.kind == "start_timer":
        _start_case(job, moment)
        return
    instance = db.session.get(ProcessInstance, job.instance_id)
    if instance is None or instance.status != InstanceStatus.RUNNING:
        return
    if job.kind == "bpmn_timer":
        _fire_bpmn_timer(job, instance)
    elif job.kind == "task_due":
        _task_due(job, instance, moment)


def _fire_bpmn_timer(job, instance):
    from .runtime import apply_step, audited_handlers, run_engine
    compiled = definitions.compiled_by_id(instance.definition_id)

    def go():
        workflow = runner.open_workflow(instance.state, compiled, audited_handlers(instance, None))
        before = len(runner.snapshot_path(workflow))
        if not runner.fire_timer(workflow, job.spiff_task_id, scheduled=job.due_at):
            return None, before
        return workflow, before
    workflow, before = run_engine(go, instance)
    if workflow is None:
        return
    audit.record("timer_fired", instance_id=instance.id, element_id=job.element_id,
                 element_name=compiled.element_names.get(job.element_id, job.element_id),
                 data={"job": job.id, "due_at": job.due_at.isoformat(),
                       "path": runner.snapshot_path(workflow)[before:], "waiting": runner.waiting_elements(workflow)})
    apply_step(instance, compiled, workflow, None)


def _start_case(job, moment):
    """A timer start event fell due: start one case, then wait for the cycle's next occurrence."""
    from .runtime import start_by_timer
    definition = db.session.get(ProcessDefinition, job.definition_id)
    if definitions.latest(definition.key).id != definition.id:
        return                      # a newer version replaced this schedule: the job ends here (status done)
    compiled = definitions.compiled(definition)
    timer = next((t for t in compiled.start_timers if t.element_id == job.element_id), None)
    if timer is None:
        return
    policy = job.policy or {}
    # the occurrence this job stands for (a retry after a failure moves due_at, not the occurrence)
    occurrence = datetime.fromisoformat(policy["occurrence"]) if policy.get("occurrence") else job.due_at
    start_by_timer(definition, job.element_id, occurrence)
    anchor = datetime.fromisoformat(policy.get("anchor") or job.created_at.isoformat())
    following = start_timers.next_due(timer, anchor, max(moment, occurrence))
    if following is not None:        # the same job comes back for the next occurrence
        job.status, job.due_at = JobStatus.PENDING, following
        job.policy = {**policy, "occurrence": following.isoformat()}


def _task_due(job, instance, moment):
    """A task's due time passed: remind, decide by policy, or escalate (the step's timeoutPolicy)."""
    task = db.session.get(HumanTask, job.task_id)
    if task is None or task.status != TaskStatus.OPEN:
        return
    policy = job.policy or {}
    action = policy.get("action", "remind")
    audit.record("task_timed_out", instance_id=instance.id, element_id=task.element_id, element_name=task.name,
                 task_id=task.id, data={"policy": policy, "fired": job.fired})
    if action == "remind":
        _notify_holders(task, "reminder", notifications.said(
            "Overdue, please handle: %(step)s — %(case)s", step=task.name,
            case=instance.title or instance.business_key))
        every, times = policy.get("every_seconds"), int(policy.get("times", 1))
        if every and job.fired < times:     # the same job comes back for the next reminder
            job.status, job.due_at = JobStatus.PENDING, moment + timedelta(seconds=int(every))
    elif action in ("auto_approve", "auto_reject"):
        from .tasks import finish_step
        decision = "approve" if action == "auto_approve" else "reject"
        from .runtime import close_task
        task.status = TaskStatus.COMPLETED
        task.completed_at, task.decision, task.opinion = moment, decision, "超时自动处理"
        close_task(task)
        finish_step(None, task, {"decision": decision, "opinion": "超时自动处理", "timeout": True},
                    already_marked=True)
    elif action == "escalate":
        group = policy.get("group", "admins")
        from .runtime import close_candidates, open_candidates
        groups = [g for g in task.candidate_groups.split(",") if g]
        if group not in groups:
            groups.append(group)
        task.candidate_groups = ",".join(groups)
        task.assignee_id, task.claimed_at = None, None     # back in the pool, now also for the escalation group
        close_candidates(task)
        open_candidates(task)
        audit.record("task_escalated", instance_id=instance.id, element_id=task.element_id, element_name=task.name,
                     task_id=task.id, data={"group": group})
        notifications.notify(notifications._members([group]), "escalation", notifications.said(
            "Escalated, overdue: %(step)s — %(case)s", step=task.name, case=instance.title or instance.business_key),
            instance.id, task.id)


def _notify_holders(task, kind, message):
    ids = [task.assignee_id] if task.assignee_id else notifications._members(
        [g for g in task.candidate_groups.split(",") if g])
    notifications.notify(ids, kind, message, task.instance_id, task.id)


def incidents(actor):
    if not is_admin(actor):
        raise Forbidden("administrators only")
    return db.session.execute(select(TimerJob).where(TimerJob.status == JobStatus.INCIDENT)
                              .order_by(TimerJob.due_at)).scalars().all()


def retry_incident(actor, job_id):
    """An administrator puts a parked job back in the queue, due now."""
    if not is_admin(actor):
        raise Forbidden("administrators only")
    with command():
        job = db.session.get(TimerJob, job_id)
        if job is None or job.status != JobStatus.INCIDENT:
            raise NotFound("no such incident")
        job.status, job.attempts, job.due_at = JobStatus.PENDING, 0, now()
        audit.record("incident_retried", actor=actor, instance_id=job.instance_id, element_id=job.element_id,
                     data={"job": job.id, "error": job.last_error})
    return job
