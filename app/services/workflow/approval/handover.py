"""Handing a task over: transfer (转办) to someone who then owns it, delegate (委派) to someone
who hands it back, and the delegate's hand-back."""
from flask_babel import gettext as _

from ....models.states import TaskStatus
from ...audit import trail as audit
from ...command import command
from ...errors import Conflict, Forbidden, ValidationFailed
from ...identity.permissions import can_act_on_task, is_admin, may_receive
from ...notify import notifications
from .. import definitions
from ..inbox_rows import active_user, close_candidates
from ..loading import task_for_update
from .signatures import rows_of_step, step_config


def is_own_application_step(task):
    """The initiator's own step (camunda:assignee="${initiator}"): the applicant fills and submits
    it themselves, so it is not handed over (转办/委派) to someone else."""
    _compiled, step = step_config(task)
    return step is not None and step.assignee.replace(" ", "") == "${initiator}"


def _refuse_own_application(actor, task):
    if is_own_application_step(task) and not is_admin(actor):
        raise Forbidden(_("Your own application is yours to submit: it cannot be transferred or delegated."))


def load_open(task_id):
    """An open task and its case, locked for the command (see loading.py)."""
    task = task_for_update(task_id)
    if task.status == TaskStatus.SUSPENDED:
        raise Conflict(_("The case is suspended: its tasks wait until an administrator resumes it."))
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("This task is no longer open (%(status)s).", status=task.status))
    return task


def transfer(actor, task_id, to_username, note=""):
    """转办: hand my task to someone else, who then owns it."""
    with command(actor) as ctx:
        task = load_open(task_id)
        # an administrator moving someone else's task is an administrative operation: the auditors'
        # operations page lists it (task_reassigned), where a holder's own 转办 is the case's business
        reassigned = not can_act_on_task(actor, task)
        if reassigned and not is_admin(actor):
            raise Forbidden(_("This task is not yours."))
        _refuse_own_application(actor, task)
        target = active_user(ctx, to_username)
        if target.id == actor.id:
            raise ValidationFailed(_("Choose someone else."), {"user": [_("You cannot transfer to yourself.")]})
        check_receiver(target, task, actor)
        previous = task.assignee.username if task.assignee else None
        task.assignee_id, task.claimed_at = target.id, ctx.now
        close_candidates(ctx, task)             # assigned now: no longer claimable by its groups
        if task.plan and previous in task.plan and task.delegation_state != "pending":
            plan = [target.username if u == previous else u for u in task.plan]
            for row in rows_of_step(task):      # every row decides against the same plan
                row.plan = plan
        audit.record(ctx, "task_reassigned" if reassigned else "task_transferred", actor=actor,
                     instance_id=task.instance_id, element_id=task.element_id, element_name=task.name,
                     task_id=task.id, data={"from": previous, "to": target.username, "note": note,
                                            "delegated": bool(task.owner_id)})
        notifications.notify(ctx, [target.id], "task", notifications.said(
            "Task transferred to you: %(step)s — %(case)s", step=definitions.step_label(task),
            case=task.instance_title),
            task.instance_id, task.id)
    return task


def delegate(actor, task_id, to_username, note=""):
    """委派: ask someone to handle my task; it comes back to me to finish."""
    with command(actor) as ctx:
        task = load_open(task_id)
        if task.assignee_id != actor.id:
            raise Forbidden(_("Claim the task before delegating it."))
        if task.delegation_state == "pending":
            raise Conflict(_("This task is already delegated; hand it back or transfer it."))
        _refuse_own_application(actor, task)
        target = active_user(ctx, to_username)
        if target.id == actor.id:
            raise ValidationFailed(_("Choose someone else."), {"user": [_("You cannot delegate to yourself.")]})
        check_receiver(target, task, actor)
        task.owner_id = task.owner_id or actor.id
        task.assignee_id, task.delegation_state = target.id, "pending"
        audit.record(ctx, "task_delegated", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={"to": target.username, "note": note})
        notifications.notify(ctx, [target.id], "task", notifications.said(
            "Task delegated to you: %(step)s — %(case)s", step=definitions.step_label(task),
            case=task.instance_title),
            task.instance_id, task.id)
    return task


def resolve_delegation(actor, task_id, opinion=""):
    """The delegate hands the task back to its owner with an opinion."""
    with command(actor) as ctx:
        task = load_open(task_id)
        if task.delegation_state != "pending" or task.assignee_id != actor.id:
            raise Forbidden(_("This task is not delegated to you."))
        task.assignee_id, task.delegation_state = task.owner_id, "resolved"
        audit.record(ctx, "task_delegation_resolved", actor=actor, instance_id=task.instance_id,
                     element_id=task.element_id, element_name=task.name, task_id=task.id,
                     data={"opinion": opinion, "owner": task.owner.username if task.owner else None})
        notifications.notify(ctx, [task.owner_id], "task", notifications.said(
            "Delegated task returned: %(step)s — %(opinion)s", step=definitions.step_label(task), opinion=opinion),
            task.instance_id, task.id)
    return task


def check_receiver(target, task, actor):
    """Whether `target` may take `task` (see permissions.may_receive); on a step with several
    approvers, never someone who already has a row in it: one person, one signature."""
    if task.plan and target.username in task.plan:
        raise Conflict(_("%(name)s is already an approver of this step.", name=target.username))
    if not may_receive(target, task, actor):
        raise Forbidden(_("%(name)s may not take this task: it goes to this step's approvers or your own office.",
                          name=target.username))
