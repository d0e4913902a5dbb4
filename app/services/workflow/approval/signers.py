"""Changing who signs a step with several approvers: add (加签) and remove (减签) a signer."""
from flask_babel import gettext as _
from sqlalchemy import select

from ....engine import runner
from ....engine.steps import ApprovalMode
from ....extensions import db
from ....models import AuditEvent
from ....models.states import TaskStatus, transition
from ...audit import trail as audit
from ...command import command
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...identity.permissions import is_admin
from ..inbox_rows import active_user, new_task_row
from ..steps import finish_step
from .handover import check_receiver, load_open
from .modes import evaluate
from .signatures import decided_form, open_next_in_sequence, pass_rate, rows_of_step, step_config


def _require_step_member(actor, task, reason):
    """Who may change a step's signers: its approvers where the step allows it (`signerChanges`),
    and administrators; always with a reason, which the audit trail keeps."""
    if task.delegation_state == "pending":
        raise Conflict(_("This task is delegated; it must come back to its owner first."))
    mine = any(r.assignee_id == actor.id and r.status == TaskStatus.OPEN for r in rows_of_step(task))
    if not (mine or is_admin(actor)):
        raise Forbidden(_("Only an approver of this step may change its signers."))
    if task.step_mode not in (ApprovalMode.COUNTERSIGN, ApprovalMode.SEQUENTIAL, ApprovalMode.VOTE,
                              ApprovalMode.OR_SIGN):
        raise Conflict(_("Signers can only be changed on steps with several approvers."))
    _compiled, step = step_config(task)
    if not is_admin(actor) and not (step is not None and step.signer_changes):
        raise Forbidden(_("This step does not let its approvers change who signs."))
    if not str(reason or "").strip():
        raise ValidationFailed(_("Say why the signers change."), {"reason": [_("A reason is required.")]})


def add_signer(actor, task_id, username, position="after", reason=""):
    """加签: add an approver. Sequential steps: before or after me; parallel steps: alongside."""
    with command(actor) as ctx:
        task = load_open(task_id)
        _require_step_member(actor, task, reason)
        target = active_user(ctx, username)
        check_receiver(target, task, actor)
        plan = list(task.plan or [])
        if target.username in plan and any(r.assignee_id == target.id and r.status == TaskStatus.OPEN
                                           for r in rows_of_step(task)):
            raise Conflict(_("%(name)s is already an approver of this step.", name=target.username))
        compiled, _step = step_config(task)
        ready = runner.ReadyTask(task.spiff_task_id, task.element_id, task.name, {})
        if task.step_mode == ApprovalMode.SEQUENTIAL:
            mine = next(r for r in rows_of_step(task) if r.status == TaskStatus.OPEN)
            index = mine.slot if position == "before" else mine.slot + 1
            plan.insert(index, target.username)
            for row in rows_of_step(task):
                row.plan = plan
            if position == "before":          # the new signer goes first; my turn comes after theirs
                transition(mine, TaskStatus, TaskStatus.CANCELLED)
                audit.record(ctx, "task_cancelled", actor=actor, instance_id=task.instance_id,
                             element_id=mine.element_id, element_name=mine.name, task_id=mine.id,
                             data={"reason": "signer added before"})
                new_task_row(ctx, task.instance, compiled, ready, actor, assignee=target, mode=task.step_mode,
                             slot=index, plan=plan, visit_of=task)
        else:
            plan.append(target.username)
            for row in rows_of_step(task):
                row.plan = plan
            new_task_row(ctx, task.instance, compiled, ready, actor, assignee=target, mode=task.step_mode,
                         slot=len(plan) - 1, plan=plan, visit_of=task)
        audit.record(ctx, "signer_added", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={"user": target.username,
                                                                    "position": position, "plan": plan,
                                                                    "reason": reason})
    return task


def _added_by(task, username, actor):
    """Whether `actor` added `username` to this visit of the step (减签 undoes one's own 加签)."""
    events = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == task.instance_id, AuditEvent.type == "signer_added",
        AuditEvent.element_id == task.element_id, AuditEvent.actor_id == actor.id)).scalars()
    step_rows = {r.id for r in rows_of_step(task)}
    return any(e.data.get("user") == username and e.task_id in step_rows for e in events)


def remove_signer(actor, task_id, username, reason=""):
    """减签: remove an approver who has not acted yet; the step may then be decided."""
    with command(actor) as ctx:
        task = load_open(task_id)
        _require_step_member(actor, task, reason)
        rows = rows_of_step(task)
        plan = list(task.plan or [])
        if username not in plan:
            raise NotFound(_("%(name)s is not an approver of this step.", name=username))
        if not is_admin(actor) and not _added_by(task, username, actor):
            raise Forbidden(_("Only whoever added %(name)s (or an administrator) may remove them.", name=username))
        if any(r.completed_by and r.completed_by.username == username for r in rows):
            raise Conflict(_("%(name)s has already decided; the decision stays.", name=username))
        if len(plan) <= 1:
            raise Conflict(_("The last approver of a step cannot be removed."))
        plan.remove(username)
        for row in rows:
            row.plan = plan
        audit.record(ctx, "signer_removed", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={"user": username, "plan": plan,
                                                                    "reason": reason})
        for row in rows:
            if row.status == TaskStatus.OPEN and row.assignee and row.assignee.username == username:
                transition(row, TaskStatus, TaskStatus.CANCELLED)
                audit.record(ctx, "task_cancelled", actor=actor, instance_id=row.instance_id, element_id=row.element_id,
                             element_name=row.name, task_id=row.id, data={"reason": "signer removed"})
        rows = rows_of_step(task)
        compiled, step = step_config(task)
        decision = evaluate(task.step_mode, rows, plan, pass_rate(step))
        if decision is not None and any(r.status == TaskStatus.COMPLETED for r in rows):
            last = max((r for r in rows if r.status == TaskStatus.COMPLETED), key=lambda r: r.completed_at)
            finish_step(ctx, last, decided_form(task, step, plan, rows, decision), already_marked=True,
                        record_as=task)
        elif task.step_mode == ApprovalMode.SEQUENTIAL and not any(r.status == TaskStatus.OPEN for r in rows):
            open_next_in_sequence(ctx, task, compiled, plan, rows)
    return task
