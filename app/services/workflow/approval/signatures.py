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
    """Each signed row: who (user name and display name), their decision and opinion, and the other
    fields they submitted (`data`)."""
    return [{"user": r.completed_by.username if r.completed_by else None,
             "name": r.completed_by.display_name if r.completed_by else "", "decision": r.decision,
             "opinion": r.opinion, "data": r.form_data or {}} for r in rows if r.status == TaskStatus.COMPLETED]


def tally_of(mode, plan, signatures, rate):
    """How the step was decided, for people: votes per decision, the rule, and who had not signed
    when it ended (their rows are cancelled)."""
    counts = {}
    for signature in signatures:
        counts[signature["decision"]] = counts.get(signature["decision"], 0) + 1
    signed = {s["user"] for s in signatures}
    return {"counts": counts, "mode": mode, "pass_rate": rate if mode == ApprovalMode.VOTE else None,
            "approvers": len(plan), "not_signed": [u for u in plan if u not in signed]}


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
    return decided_form(task, step, plan, rows, decision)


def decided_form(task, step, plan, rows, decision):
    """What a decided multi-approver step submits: the decision, each signature, the tally, and one
    opinion text for the case with each part under its author's name (pages show the signatures)."""
    signatures = signatures_of(rows)
    return {"decision": decision, "opinion": "；".join(f"{s['name'] or s['user']}：{s['opinion']}" for s in signatures
                                                     if s["opinion"]),
            "signatures": signatures, "tally": tally_of(task.step_mode, plan, signatures, pass_rate(step))}


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
