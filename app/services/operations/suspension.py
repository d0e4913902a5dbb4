"""Suspend and resume a case (Camunda's suspension of a process instance).

A suspended case's tasks leave every inbox (their rows become `suspended`, their candidate rows
are deleted) and cannot be claimed or completed; its timer jobs stand still (`suspended`), and it
receives no message or signal (receivers are running cases). Resuming moves every due moment on by
the time the case stood still, so each timer keeps exactly the time it had left: the job rows, the
tasks' due times, and the timers inside the workflow state (`runner.shift_timers`), which decide
the due moment the next step's job sync reads back.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ...engine import runner
from ...engine.serializer import dump_workflow
from ...models import HumanTask, TimerJob
from ...models.jobs import JobStatus
from ...models.states import InstanceStatus, TaskStatus, transition
from ..audit import trail as audit
from ..command import command
from ..errors import Conflict
from ..workflow import definitions, timer_jobs
from ..workflow.inbox_rows import close_candidates, open_candidates
from ..workflow.loading import case_for_update
from .guard import require_admin


def _rows(ctx, model, instance, status):
    return ctx.session.execute(select(model).where(model.instance_id == instance.id, model.status == status)
                               .order_by(model.id)).scalars().all()


def suspend(actor, instance_id, reason=""):
    """Pause a running case: out of the inboxes, timers stopped (their remaining time kept)."""
    require_admin(actor)
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("Only a running case can be suspended; this one is %(status)s.",
                             status=instance.status))
        transition(instance, InstanceStatus, InstanceStatus.SUSPENDED)
        instance.suspended_at = timer_jobs.now()
        tasks = _rows(ctx, HumanTask, instance, TaskStatus.OPEN)
        for task in tasks:
            transition(task, TaskStatus, TaskStatus.SUSPENDED)
            close_candidates(ctx, task)
        jobs = _rows(ctx, TimerJob, instance, JobStatus.PENDING)
        for job in jobs:
            job.status = JobStatus.SUSPENDED
        audit.record(ctx, "instance_suspended", actor=actor, instance_id=instance.id, data={
            "reason": str(reason or "").strip()[:500], "tasks": [t.id for t in tasks], "timers": len(jobs),
            "at": instance.suspended_at.isoformat()})
    return instance


def resume(actor, instance_id):
    """Let a suspended case go on; every timer is due the time it had left after now."""
    require_admin(actor)
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if instance.status != InstanceStatus.SUSPENDED:
            raise Conflict(_("Only a suspended case can be resumed; this one is %(status)s.",
                             status=instance.status))
        moment = timer_jobs.now()
        paused = max(moment - instance.suspended_at, timedelta(0))
        compiled = definitions.compiled_by_id(instance.definition_id)
        workflow = runner.open_workflow(instance.state, compiled)
        runner.shift_timers(workflow, paused)
        instance.state = dump_workflow(workflow)
        transition(instance, InstanceStatus, InstanceStatus.RUNNING)
        instance.suspended_at = None
        tasks = _rows(ctx, HumanTask, instance, TaskStatus.SUSPENDED)
        for task in tasks:
            transition(task, TaskStatus, TaskStatus.OPEN)
            if task.due_at is not None:
                task.due_at += paused
            if task.assignee_id is None:
                open_candidates(ctx, task)
        for job in _rows(ctx, TimerJob, instance, JobStatus.SUSPENDED):
            job.status, job.due_at = JobStatus.PENDING, job.due_at + paused
        if instance.next_timer_due is not None:
            instance.next_timer_due += paused
        timer_jobs.sync_jobs(ctx, instance, workflow, compiled)
        audit.record(ctx, "instance_resumed", actor=actor, instance_id=instance.id, data={
            "tasks": [t.id for t in tasks], "paused_seconds": paused.total_seconds()})
    return instance
