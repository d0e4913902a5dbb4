"""Signatures on a step with several approvers: each approver's decision, and the step's when it is due.

Each approver's decision is a `signature_recorded` event; the deciding one is
the step's `task_completed` (app/services/workflow/steps.py), carrying the
aggregated decision and signatures. The command holds the case's row lock
(loading.task_for_update), so the sibling rows read here are the committed truth.
"""
from sqlalchemy import select

from ....engine import runner
from ....engine.steps import ApprovalMode
from ....extensions import db
from ....models import HumanTask
from ....models.states import TaskStatus, transition
from ...audit import trail as audit
from .. import definitions
from ..inbox_rows import active_user, new_task_row
from .modes import evaluate


def rows_of_step(task):
    """Every inbox row of this visit of the step (the same engine task, opened at the same time)."""
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == task.instance_id, HumanTask.spiff_task_id == task.spiff_task_id,
        HumanTask.visit_opened_at == task.visit_opened_at)
        .order_by(HumanTask.slot, HumanTask.id)).scalars().all()


def signatures_of(rows):
    """Each signed row: who, their decision and opinion, and the other fields they submitted (`data`)."""
    return [{"user": r.completed_by.username if r.completed_by else None, "decision": r.decision,
             "opinion": r.opinion, "data": r.form_data or {}} for r in rows if r.status == TaskStatus.COMPLETED]


def _own_fields(cleaned):
    """What a signer submitted besides the decision and the opinion (kept on their row)."""
    return {key: value for key, value in cleaned.items() if key not in ("decision", "opinion")} or None


def step_config(task):
    compiled = definitions.compiled_by_id(task.instance.definition_id)
    return compiled, compiled.steps.get(task.element_id)


def pass_rate(step):
    return step.vote_pass_rate if step else 0.5


def record_signature(ctx, task, cleaned):
    """Record one approver's decision on a multi-approver step.

    Returns the aggregated form data when the step is decided, else None (and
    opens the next sequential row when one is due)."""
    actor = ctx.actor
    compiled, step = step_config(task)
    transition(task, TaskStatus, TaskStatus.COMPLETED)
    task.completed_by_id, task.completed_at = actor.id, ctx.now
    task.decision, task.opinion = cleaned.get("decision", ""), str(cleaned.get("opinion", ""))
    task.form_data = _own_fields(cleaned)
    rows = rows_of_step(task)
    plan = list(task.plan or [])
    decision = evaluate(task.step_mode, rows, plan, pass_rate(step))
    if decision is None:
        audit.record(ctx, "signature_recorded", actor=actor, instance_id=task.instance_id,
                     element_id=task.element_id, element_name=task.name, task_id=task.id, data={
                         "decision": task.decision, "opinion": task.opinion, "mode": task.step_mode,
                         "form": task.form_data or {}})
        open_next_in_sequence(ctx, task, compiled, plan, rows)
        return None
    return {"decision": decision, "opinion": "；".join(s["opinion"] for s in signatures_of(rows) if s["opinion"]),
            "signatures": signatures_of(rows)}


def open_next_in_sequence(ctx, task, compiled, plan, rows):
    """On a sequential step, the next approver's row once the one before has signed."""
    if task.step_mode != ApprovalMode.SEQUENTIAL:
        return
    signed = [r for r in rows if r.status == TaskStatus.COMPLETED]
    if len(signed) >= len(plan):
        return
    ready = runner.ReadyTask(task.spiff_task_id, task.element_id, task.name, {})
    new_task_row(ctx, task.instance, compiled, ready, ctx.actor, assignee=active_user(ctx, plan[len(signed)]),
                 mode=task.step_mode, slot=len(signed), plan=plan, visit_of=task)
