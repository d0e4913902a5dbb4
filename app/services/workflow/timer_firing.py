"""Firing timer jobs, exactly once, from the scheduler, the CLI and tests.

`fire_due` claims one due job at a time in its own command (`UPDATE … WHERE
status = 'pending'`: a second process finds it taken; on PostgreSQL the claim
skips rows another process has locked), acts through the engine and commits job,
state, inbox and audit together. A failure rolls the step back and is retried
with backoff, then parked as an incident an administrator sees and can retry.
"""
import logging
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from ...engine import runner, start_timers
from ...extensions import db
from ...models import HumanTask, ProcessDefinition, ProcessInstance, TimerJob
from ...models.jobs import JobStatus
from ...models.states import InstanceStatus, TaskStatus
from ..audit import trail as audit
from ..command import command
from ..errors import Forbidden, NotFound
from ..identity.permissions import is_admin
from ..notify import notifications
from . import definitions
from .cases import start_by_timer, task_data
from .definition_admin import is_start_disabled
from .engine_calls import audited_handlers, run_engine
from .handlers import ALERT_HOOKS, JOB_HOOKS
from .inbox_rows import close_candidates, close_task, open_candidates
from .loading import lock_case
from .steps import apply_step, finish_step
from .timer_jobs import now

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


_BUSY = object()     # _claim: the job's case is held by a command now; the job waits for the next round


def _claim(at, busy):
    """The id of one due job this process now owns, None when none is due, or _BUSY.

    On PostgreSQL the claim skips jobs another scheduler process holds, and then takes the job's
    case the same way: a case a user's command is working on is not waited for (the job is left
    for the next round, `busy`). The scheduler never waits for a lock while it holds one, so it
    cannot deadlock with a command, which locks the case first and then writes the case's jobs.
    (SQLite: the command's BEGIN IMMEDIATE already serializes everything.)"""
    query = select(TimerJob.id, TimerJob.instance_id).where(
        TimerJob.status == JobStatus.PENDING, TimerJob.due_at <= at).order_by(TimerJob.due_at, TimerJob.id).limit(1)
    if busy:
        query = query.where(TimerJob.id.not_in(busy))
    if db.engine.dialect.name != "postgresql":
        found = db.session.execute(query).first()
        return found.id if found is not None else None
    found = db.session.execute(query.with_for_update(skip_locked=True)).first()
    if found is None or found.instance_id is None:
        return found.id if found is not None else None
    held = db.session.execute(select(ProcessInstance.id).where(ProcessInstance.id == found.instance_id)
                              .with_for_update(skip_locked=True, key_share=True)).scalar()
    if held is None:
        busy.add(found.id)
        return _BUSY
    return found.id


def fire_due(limit=1000, at=None, on_fired=None):
    """Fire the jobs due by `at` (default: now), each in its own transaction. Returns how many fired.

    `on_fired(kind, due_at)` is called after each firing has committed (the scheduler's lag metric)."""
    fired, busy = 0, set()
    while fired < limit:
        moment, job_id, done = at or now(), None, None
        try:
            with command() as ctx:
                job_id = _claim(moment, busy)
                if job_id is None:
                    return fired
                if job_id is _BUSY:
                    job_id = None
                    continue
                taken = db.session.execute(update(TimerJob).where(
                    TimerJob.id == job_id, TimerJob.status == JobStatus.PENDING)
                    .values(status=JobStatus.DONE, fired_at=moment, fired=TimerJob.fired + 1)).rowcount
                if not taken:               # another process fired it first
                    continue
                job = db.session.get(TimerJob, job_id)
                done = (job.kind, job.due_at)
                _act(ctx, job, moment)
        except Exception as exc:            # everything the job did is rolled back; count the failure
            if job_id is None:
                raise
            done = None
            with command() as ctx:
                _failed(ctx, db.session.get(TimerJob, job_id), moment, exc)
        fired += 1
        if done is not None and on_fired is not None:
            on_fired(*done)
    return fired


def _failed(ctx, job, moment, exc):
    lock_case(job.instance_id)          # the incident is recorded on the case's chain
    db.session.refresh(job, with_for_update=True)
    if job.status != JobStatus.PENDING or job.due_at > moment:
        return      # another process fired it meanwhile (and may have moved it on): nothing failed here
    job.attempts += 1
    job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if job.attempts >= MAX_ATTEMPTS:
        job.status = JobStatus.INCIDENT
        audit.record(ctx, "timer_incident", instance_id=job.instance_id, element_id=job.element_id,
                     data={"job": job.id, "error": job.last_error, "attempts": job.attempts})
        log.error("timer job %s parked as an incident: %s", job.id, job.last_error)
    else:
        job.status = JobStatus.PENDING
        job.due_at = moment + timedelta(seconds=2 ** job.attempts)
        log.warning("timer job %s failed (attempt %s), retrying: %s", job.id, job.attempts, job.last_error)


def _act(ctx, job, moment):
    if job.kind == "start_timer":
        _start_case(ctx, job, moment)
        return
    instance = lock_case(job.instance_id)       # as every command deciding a step
    if job.kind in JOB_HOOKS:                   # a registry's own due check (a project's milestone)
        JOB_HOOKS[job.kind](ctx, job, instance, moment)
        return
    if instance is None or instance.status != InstanceStatus.RUNNING:
        return
    if job.kind == "bpmn_timer":
        _fire_bpmn_timer(ctx, job, instance)
    elif job.kind == "task_due":
        _task_due(ctx, job, instance, moment)


def _fire_bpmn_timer(ctx, job, instance):
    compiled = definitions.compiled_by_id(instance.definition_id)

    def go():
        workflow = runner.open_workflow(instance.state, compiled, audited_handlers(ctx, instance, None))
        before = len(runner.snapshot_path(workflow))
        if not runner.fire_timer(workflow, job.spiff_task_id, scheduled=job.due_at):
            return None, before
        return workflow, before
    workflow, before = run_engine(go)
    if workflow is None:
        return
    audit.record(ctx, "timer_fired", instance_id=instance.id, element_id=job.element_id,
                 element_name=compiled.element_names.get(job.element_id, job.element_id),
                 data={"job": job.id, "due_at": job.due_at.isoformat(),
                       "path": runner.snapshot_path(workflow)[before:], "waiting": runner.waiting_elements(workflow)})
    apply_step(ctx, instance, compiled, workflow)


def _start_case(ctx, job, moment):
    """A timer start event fell due: start one case, then wait for the cycle's next occurrence."""
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
    if not is_start_disabled(definition.key):        # switched off (definitions page): this occurrence is skipped
        start_by_timer(ctx, definition, job.element_id, occurrence)
    anchor = datetime.fromisoformat(policy.get("anchor") or job.created_at.isoformat())
    following = start_timers.next_due(timer, anchor, max(moment, occurrence))
    if following is not None:        # the same job comes back for the next occurrence
        job.status, job.due_at = JobStatus.PENDING, following
        job.policy = {**policy, "occurrence": following.isoformat()}


def _task_due(ctx, job, instance, moment):
    """A task's due time passed: remind, decide by policy, or escalate (the step's timeoutPolicy)."""
    task = db.session.get(HumanTask, job.task_id)
    if task is None or task.status != TaskStatus.OPEN:
        return
    policy = job.policy or {}
    action = policy.get("action", "remind")
    audit.record(ctx, "task_timed_out", instance_id=instance.id, element_id=task.element_id, element_name=task.name,
                 task_id=task.id, data={"policy": policy, "fired": job.fired})
    if action == "remind":
        _notify_holders(ctx, task, "reminder", notifications.said(
            "Overdue, please handle: %(step)s — %(case)s", step=definitions.step_label(task),
            case=instance.title or instance.business_key))
        every, times = policy.get("every_seconds"), int(policy.get("times", 1))
        if every and job.fired < times:     # the same job comes back for the next reminder
            job.status, job.due_at = JobStatus.PENDING, moment + timedelta(seconds=int(every))
    elif action in ("auto_approve", "auto_reject"):
        decision = "approve" if action == "auto_approve" else "reject"
        task.status = TaskStatus.COMPLETED
        task.completed_at, task.decision, task.opinion = moment, decision, "超时自动处理"
        close_task(ctx, task)
        finish_step(ctx, task, {"decision": decision, "opinion": "超时自动处理", "timeout": True},
                    already_marked=True)
    elif action == "alert":     # the task stays open: the registry raises the alert its rule names
        hook = ALERT_HOOKS.get(policy.get("rule", ""))
        if hook is None:        # a rule no registry provides: the job becomes an incident saying so
            raise LookupError(f"no registry raises alerts of riskRule '{policy.get('rule', '')}'")
        hook(ctx, instance, task, moment, task_data(task))
    elif action == "escalate":
        group = policy.get("group", "admins")
        groups = [g for g in task.candidate_groups.split(",") if g]
        if group not in groups:
            groups.append(group)
        task.candidate_groups = ",".join(groups)
        task.assignee_id, task.claimed_at = None, None     # back in the pool, now also for the escalation group
        close_candidates(ctx, task)
        open_candidates(ctx, task)
        audit.record(ctx, "task_escalated", instance_id=instance.id, element_id=task.element_id, element_name=task.name,
                     task_id=task.id, data={"group": group})
        notifications.notify(ctx, notifications.member_ids(ctx, [group]), "escalation", notifications.said(
            "Escalated, overdue: %(step)s — %(case)s", step=definitions.step_label(task),
            case=instance.title or instance.business_key),
            instance.id, task.id)


def _notify_holders(ctx, task, kind, message):
    ids = [task.assignee_id] if task.assignee_id else notifications.member_ids(
        ctx, [g for g in task.candidate_groups.split(",") if g])
    notifications.notify(ctx, ids, kind, message, task.instance_id, task.id)


def incidents(actor):
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    return db.session.execute(select(TimerJob).where(TimerJob.status == JobStatus.INCIDENT)
                              .order_by(TimerJob.due_at)).scalars().all()


def retry_incident(actor, job_id):
    """An administrator puts a parked job back in the queue, due now."""
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    with command(actor) as ctx:
        job = db.session.get(TimerJob, job_id, with_for_update=True)    # two administrators: one retries it
        if job is None or job.status != JobStatus.INCIDENT:
            raise NotFound(_("No such incident."))
        lock_case(job.instance_id)
        job.status, job.attempts, job.due_at = JobStatus.PENDING, 0, now()
        audit.record(ctx, "incident_retried", actor=actor, instance_id=job.instance_id, element_id=job.element_id,
                     data={"job": job.id, "error": job.last_error})
    return job
