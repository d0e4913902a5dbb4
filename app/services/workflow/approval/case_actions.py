"""What the people around a case do with it as a whole: urge (催办), copy (抄送),
withdraw (撤回) or reclaim (拿回), and return it to an earlier step (退回到指定环节)."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ....engine import runner
from ....engine.steps import ApprovalMode
from ....extensions import db
from ....models import CarbonCopy, HumanTask
from ....models.states import InstanceStatus, TaskStatus
from ...audit import trail as audit
from ...command import command
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...identity.permissions import can_act_on_task, can_view_instance, is_admin, may_be_copied, may_copy
from ...notify import notifications
from .. import copies, definitions
from ..engine_calls import audited_handlers, run_engine
from ..inbox_rows import active_user
from ..loading import case_for_update
from ..steps import apply_step
from .handover import load_open
from .signatures import step_config


def urge(actor, instance_id, note=""):
    """催办: the initiator reminds the current approvers (at most once per interval per task)."""
    interval = timedelta(seconds=current_app.config.get("URGE_INTERVAL_SECONDS", 600))
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if instance.started_by_id != actor.id and not is_admin(actor):
            raise Forbidden(_("Only the initiator may urge the approvers."))
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("The case has ended."))
        open_rows = db.session.execute(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars().all()
        waiting = [r for r in open_rows if r.assignee_id != actor.id]
        if not waiting:
            raise Conflict(_("Nobody else is working on the case now."))
        now = ctx.now
        if any(r.last_urged_at and now - r.last_urged_at < interval for r in waiting):
            raise Conflict(_("The approvers were reminded less than %(m)d minutes ago.",
                             m=int(interval.total_seconds() // 60)))
        for row in waiting:
            row.last_urged_at = now
            ids = [row.assignee_id] if row.assignee_id else notifications.member_ids(
                ctx, [g for g in row.candidate_groups.split(",") if g])
            notifications.notify(ctx, ids, "urge", notifications.said(
                "Please handle: %(step)s — %(case)s %(note)s", step=definitions.step_label(row),
                case=instance.title or instance.business_key, note=note), instance.id, row.id)
        audit.record(ctx, "task_urged", actor=actor, instance_id=instance.id, data={
            "tasks": [r.id for r in waiting], "note": note})
    return len(waiting)


def carbon_copy(actor, instance_id, usernames, note="", element_id=""):
    """抄送: copy a case to people for information; they see it in their CC inbox."""
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if not can_view_instance(actor, instance):
            raise Forbidden(_("You may not see this case."))
        if not may_copy(actor, instance):
            raise Forbidden(_("Only the initiator and the people who worked on the case may copy it."))
        users = [active_user(ctx, u) for u in dict.fromkeys(usernames) if u]
        refused = [u.username for u in users if not may_be_copied(u, instance)]
        if refused:
            raise ValidationFailed(_("Some people may not receive this case."), {"users": [
                _("%(names)s: copies go to the applicant's own unit or the offices overseeing the case.",
                  names=", ".join(refused))]})
        if not users:
            raise ValidationFailed(_("Name at least one person."), {"users": [_("Name at least one person.")]})
        copies.copy_to(ctx, instance, users, actor, note, element_id)
    return len(users)


def cc_inbox(user, unread_only=False, limit=100):
    query = select(CarbonCopy).where(CarbonCopy.user_id == user.id)
    if unread_only:
        query = query.where(CarbonCopy.read_at.is_(None))
    return db.session.execute(query.order_by(CarbonCopy.created_at.desc()).limit(limit)).scalars().all()


def read_cc(user, cc_id):
    with command(user) as ctx:
        item = db.session.get(CarbonCopy, cc_id)
        if item is None or item.user_id != user.id:
            raise NotFound(_("No such copy."))
        item.read_at = item.read_at or ctx.now
    return item


def take_back(actor, instance_id, kind):
    """撤回 (withdraw, kind='withdraw': the initiator) or 拿回 (reclaim, kind='reclaim': the last approver).

    Allowed while nobody has acted on what followed the actor's last step: the
    case returns to that step, open tasks after it are cancelled."""
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("The case has ended."))
        if kind == "withdraw" and instance.started_by_id != actor.id:
            raise Forbidden(_("Only the initiator may withdraw the case."))
        rows = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)
                                  .order_by(HumanTask.id)).scalars().all()
        # the last to act is the last to complete (rows of one step are created together, in any order)
        completed = sorted((r for r in rows if r.status == TaskStatus.COMPLETED), key=lambda r: (r.completed_at, r.id))
        if not completed or completed[-1].completed_by_id != actor.id:
            raise Conflict(_("You were not the last to act on this case."))
        last = completed[-1]
        later = [r for r in rows if r is not last and r.created_at >= last.completed_at]   # what it set off
        if any(r.status == TaskStatus.COMPLETED or r.claimed_at is not None or r.draft_data for r in later):
            raise Conflict(_("Someone has already acted on the next step; it can no longer be taken back."))
        compiled = definitions.compiled_by_id(instance.definition_id)

        def go():
            workflow = runner.open_workflow(instance.state, compiled, audited_handlers(ctx, instance, actor))
            runner.reset_to(workflow, last.element_id)
            return workflow
        workflow = run_engine(go)
        audit.record(ctx, "case_taken_back", actor=actor, instance_id=instance.id, element_id=last.element_id,
                     element_name=last.name, data={"kind": kind, "completed": runner.snapshot_path(workflow),
                                                   "waiting": runner.waiting_elements(workflow)})
        apply_step(ctx, instance, compiled, workflow)
    return instance


def return_targets(task):
    """Earlier user steps of this case the approver may send it back to (step property `returnTo`).

    Earlier means before this step on the diagram's forward flow (engine/flow_order.py), and
    done in this case: after a return for revision, the reviewers' steps are in the applicant's
    past but ahead of the applicant's step, so they are not targets."""
    compiled, step = step_config(task)
    allowed = step.properties.get("returnTo", "any") if step else "any"
    if allowed == "none" or task.step_mode not in (ApprovalMode.SINGLE, ApprovalMode.OR_SIGN):
        # several approvers decide 'return' together instead (return_to refuses it there)
        return []
    earlier = compiled.before.get(task.element_id, frozenset())
    done = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == task.instance_id, HumanTask.status == TaskStatus.COMPLETED,
        HumanTask.element_id != task.element_id).order_by(HumanTask.completed_at)).scalars().all()
    names = {}
    for row in done:
        if row.element_id in earlier:
            names[row.element_id] = row.name
    if allowed not in ("any", ""):
        wanted = [e.strip() for e in allowed.split(",")]
        names = {k: v for k, v in names.items() if k in wanted}
    return list(names.items())


def return_to(actor, task_id, element_id, opinion=""):
    """退回到指定环节: send the case back to an earlier step, which runs again from there."""
    with command(actor) as ctx:
        task = load_open(task_id)
        if not can_act_on_task(actor, task):
            raise Forbidden(_("This task is not yours."))
        if task.delegation_state == "pending":
            raise Conflict(_("This task is delegated; it must come back to its owner first."))
        if task.step_mode not in (ApprovalMode.SINGLE, ApprovalMode.OR_SIGN):
            raise Conflict(_("On a step that needs several approvers, decide with 'return' instead."))
        if element_id not in dict(return_targets(task)):
            raise ValidationFailed(_("That step cannot be returned to."), {"step": [_("Choose an earlier step.")]})
        if not opinion.strip():
            raise ValidationFailed(_("Say why it goes back."), {"opinion": [_("An opinion is required.")]})
        instance = task.instance
        compiled = definitions.compiled_by_id(instance.definition_id)

        def go():
            workflow = runner.open_workflow(instance.state, compiled, audited_handlers(ctx, instance, actor))
            runner.reset_to(workflow, element_id)
            return workflow
        workflow = run_engine(go)
        task.decision, task.opinion = "return", opinion
        audit.record(ctx, "case_returned_to", actor=actor, instance_id=instance.id, element_id=element_id,
                     element_name=compiled.element_names.get(element_id, element_id), task_id=task.id,
                     data={"from": task.element_id, "opinion": opinion, "completed": runner.snapshot_path(workflow),
                           "waiting": runner.waiting_elements(workflow)})
        notifications.returned(ctx, instance, definitions.step_label(task), opinion)
        apply_step(ctx, instance, compiled, workflow)
        for row in ctx.session.execute(select(HumanTask).where(      # the inbox tags them 退回
                HumanTask.instance_id == instance.id, HumanTask.element_id == element_id,
                HumanTask.status == TaskStatus.OPEN)).scalars():
            row.returned = True
    return instance
