"""Approval steps with several approvers, and the approver actions around them.

A BPMN user task is one engine task; its approvers are inbox rows here. The
engine task completes once the step's mode has a result:
- or_sign (或签): the first decision decides;
- countersign (会签): every approver must approve; a rejection or return decides at once;
- sequential (依次审批): approvers in the plan's order, each row created when the previous approved;
- vote (票签): approve when approvals / approvers >= votePassRate; reject once that can no longer happen.
Each approver's decision is a `signature_recorded` event; the deciding one is
the step's `task_completed`, carrying the aggregated decision and signatures.
"""
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..engine import runner
from ..engine.steps import ApprovalMode
from ..extensions import db
from ..models import CarbonCopy, HumanTask, ProcessInstance, User
from ..models.states import InstanceStatus, TaskStatus, transition
from . import appends, audit, definitions, notifications, rows
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .permissions import can_act_on_task, can_view_instance, is_admin, may_be_copied, may_copy, may_receive
from .transaction import command

DECISIONS = ("approve", "return", "reject")


def _now():
    return datetime.now(timezone.utc)


def _user(username):
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise ValidationFailed(_("Unknown user."), {"user": [_("No active user named %(name)s.", name=username)]})
    return user


def rows_of_step(task):
    """Every inbox row of the same engine task (one visit of one step)."""
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == task.instance_id, HumanTask.spiff_task_id == task.spiff_task_id)
        .order_by(HumanTask.slot, HumanTask.id)).scalars().all()


def open_step(instance, compiled, ready, actor, step, approvers):
    """Create the rows of a step with several approvers (sequential: only the first)."""
    from .runtime import new_task_row
    mode = step.approval_mode
    first = approvers[:1] if mode == ApprovalMode.SEQUENTIAL else approvers
    for slot, username in enumerate(first):
        new_task_row(instance, compiled, ready, actor, assignee=_user(username), mode=mode, slot=slot,
                     plan=list(approvers))
    return None


def _signatures(rows):
    return [{"user": r.completed_by.username if r.completed_by else None, "decision": r.decision,
             "opinion": r.opinion} for r in rows if r.status == TaskStatus.COMPLETED]


def evaluate(mode, rows, plan, rate):
    """The step's decision so far: 'approve' / 'return' / 'reject', or None while undecided."""
    done = [r for r in rows if r.status == TaskStatus.COMPLETED]
    decisions = [r.decision for r in done]
    if not decisions and plan:
        return None
    if mode == ApprovalMode.OR_SIGN:
        return decisions[0] if decisions else "approve"
    if mode in (ApprovalMode.COUNTERSIGN, ApprovalMode.SEQUENTIAL):
        for decisive in ("reject", "return"):
            if decisive in decisions:
                return decisive
        signed = {r.completed_by.username for r in done if r.decision == "approve"}
        return "approve" if all(u in signed for u in plan) else None
    if mode == ApprovalMode.VOTE:
        total = len(plan) or 1
        approvals = sum(1 for d in decisions if d == "approve")
        against = sum(1 for d in decisions if d != "approve")
        if approvals / total >= rate:
            return "approve"
        if (total - against) / total < rate:
            return "reject"
        return None
    return decisions[-1] if decisions else None


def _step_config(task):
    compiled = definitions.compiled_by_id(task.instance.definition_id)
    return compiled, compiled.steps.get(task.element_id)


def record_signature(actor, task, cleaned):
    """Record one approver's decision on a multi-approver step.

    Returns the aggregated form data when the step is decided, else None (and
    opens the next sequential row when one is due)."""
    compiled, step = _step_config(task)
    transition(task, TaskStatus, TaskStatus.COMPLETED)
    task.completed_by_id, task.completed_at = actor.id, _now()
    task.decision, task.opinion = cleaned.get("decision", ""), str(cleaned.get("opinion", ""))
    rows = rows_of_step(task)
    plan = list(task.plan or [])
    decision = evaluate(task.step_mode, rows, plan, step.vote_pass_rate if step else 0.5)
    if decision is None:
        audit.record("signature_recorded", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={
                         "decision": task.decision, "opinion": task.opinion, "mode": task.step_mode})
        if task.step_mode == ApprovalMode.SEQUENTIAL:
            _open_next_in_sequence(task, compiled, actor, plan, rows)
        return None
    return {"decision": decision, "opinion": "；".join(s["opinion"] for s in _signatures(rows) if s["opinion"]),
            "signatures": _signatures(rows)}


def _open_next_in_sequence(task, compiled, actor, plan, rows):
    from .runtime import new_task_row
    signed = [r for r in rows if r.status == TaskStatus.COMPLETED]
    if len(signed) >= len(plan):
        return
    ready = runner.ReadyTask(task.spiff_task_id, task.element_id, task.name, {})
    new_task_row(task.instance, compiled, ready, actor, assignee=_user(plan[len(signed)]),
                 mode=task.step_mode, slot=len(signed), plan=plan)


def _load_open(task_id):
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(_("Task %(id)s does not exist.", id=task_id))
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("This task is no longer open (%(status)s).", status=task.status))
    return task


def transfer(actor, task_id, to_username, note=""):
    """转办: hand my task to someone else, who then owns it."""
    with command():
        task = _load_open(task_id)
        if not can_act_on_task(actor, task) and not is_admin(actor):
            raise Forbidden(_("This task is not yours."))
        target = _user(to_username)
        if target.id == actor.id:
            raise ValidationFailed(_("Choose someone else."), {"user": [_("You cannot transfer to yourself.")]})
        _check_receiver(target, task, actor)
        previous = task.assignee.username if task.assignee else None
        task.assignee_id, task.claimed_at = target.id, _now()
        from .runtime import close_candidates   # assigned now: no longer claimable by its groups
        close_candidates(task)
        if task.plan and previous in task.plan and task.delegation_state != "pending":
            task.plan = [target.username if u == previous else u for u in task.plan]
        audit.record("task_transferred", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={"from": previous, "to": target.username,
                                                                    "note": note, "delegated": bool(task.owner_id)})
        notifications.notify([target.id], "task", notifications.said(
            "Task transferred to you: %(step)s — %(case)s", step=task.name, case=task.instance_title),
            task.instance_id, task.id)
    return task


def delegate(actor, task_id, to_username, note=""):
    """委派: ask someone to handle my task; it comes back to me to finish."""
    with command():
        task = _load_open(task_id)
        if task.assignee_id != actor.id:
            raise Forbidden(_("Claim the task before delegating it."))
        if task.delegation_state == "pending":
            raise Conflict(_("This task is already delegated; hand it back or transfer it."))
        target = _user(to_username)
        if target.id == actor.id:
            raise ValidationFailed(_("Choose someone else."), {"user": [_("You cannot delegate to yourself.")]})
        _check_receiver(target, task, actor)
        task.owner_id = task.owner_id or actor.id
        task.assignee_id, task.delegation_state = target.id, "pending"
        audit.record("task_delegated", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={"to": target.username, "note": note})
        notifications.notify([target.id], "task", notifications.said(
            "Task delegated to you: %(step)s — %(case)s", step=task.name, case=task.instance_title),
            task.instance_id, task.id)
    return task


def resolve_delegation(actor, task_id, opinion=""):
    """The delegate hands the task back to its owner with an opinion."""
    with command():
        task = _load_open(task_id)
        if task.delegation_state != "pending" or task.assignee_id != actor.id:
            raise Forbidden(_("This task is not delegated to you."))
        task.assignee_id, task.delegation_state = task.owner_id, "resolved"
        audit.record("task_delegation_resolved", actor=actor, instance_id=task.instance_id,
                     element_id=task.element_id, element_name=task.name, task_id=task.id,
                     data={"opinion": opinion, "owner": task.owner.username if task.owner else None})
        notifications.notify([task.owner_id], "task", notifications.said(
            "Delegated task returned: %(step)s — %(opinion)s", step=task.name, opinion=opinion),
            task.instance_id, task.id)
    return task


def _check_receiver(target, task, actor):
    if not may_receive(target, task, actor):
        raise Forbidden(_("%(name)s may not take this task: it goes to this step's approvers or your own office.",
                          name=target.username))


def _require_step_member(actor, task):
    if task.delegation_state == "pending":
        raise Conflict(_("This task is delegated; it must come back to its owner first."))
    mine = any(r.assignee_id == actor.id and r.status == TaskStatus.OPEN for r in rows_of_step(task))
    if not (mine or is_admin(actor)):
        raise Forbidden(_("Only an approver of this step may change its signers."))
    if task.step_mode not in (ApprovalMode.COUNTERSIGN, ApprovalMode.SEQUENTIAL, ApprovalMode.VOTE,
                              ApprovalMode.OR_SIGN):
        raise Conflict(_("Signers can only be changed on steps with several approvers."))


def add_signer(actor, task_id, username, position="after"):
    """加签: add an approver. Sequential steps: before or after me; parallel steps: alongside."""
    from .runtime import new_task_row
    with command():
        task = _load_open(task_id)
        _require_step_member(actor, task)
        target = _user(username)
        _check_receiver(target, task, actor)
        plan = list(task.plan or [])
        if target.username in plan and any(r.assignee_id == target.id and r.status == TaskStatus.OPEN
                                           for r in rows_of_step(task)):
            raise Conflict(_("%(name)s is already an approver of this step.", name=target.username))
        compiled, _step = _step_config(task)
        ready = runner.ReadyTask(task.spiff_task_id, task.element_id, task.name, {})
        if task.step_mode == ApprovalMode.SEQUENTIAL:
            mine = next(r for r in rows_of_step(task) if r.status == TaskStatus.OPEN)
            index = mine.slot if position == "before" else mine.slot + 1
            plan.insert(index, target.username)
            for row in rows_of_step(task):
                row.plan = plan
            if position == "before":          # the new signer goes first; my turn comes after theirs
                transition(mine, TaskStatus, TaskStatus.CANCELLED)
                audit.record("task_cancelled", actor=actor, instance_id=task.instance_id,
                             element_id=mine.element_id, element_name=mine.name, task_id=mine.id,
                             data={"reason": "signer added before"})
                new_task_row(task.instance, compiled, ready, actor, assignee=target, mode=task.step_mode,
                             slot=index, plan=plan)
        else:
            plan.append(target.username)
            for row in rows_of_step(task):
                row.plan = plan
            new_task_row(task.instance, compiled, ready, actor, assignee=target, mode=task.step_mode,
                         slot=len(plan) - 1, plan=plan)
        audit.record("signer_added", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={"user": target.username,
                                                                    "position": position, "plan": plan})
    return task


def _added_by(task, username, actor):
    """Whether `actor` added `username` to this visit of the step (减签 undoes one's own 加签)."""
    from ..models import AuditEvent
    events = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == task.instance_id, AuditEvent.type == "signer_added",
        AuditEvent.element_id == task.element_id, AuditEvent.actor_id == actor.id)).scalars()
    step_rows = {r.id for r in rows_of_step(task)}
    return any(e.data.get("user") == username and e.task_id in step_rows for e in events)


def remove_signer(actor, task_id, username):
    """减签: remove an approver who has not acted yet; the step may then be decided."""
    from .tasks import finish_step
    with command():
        task = _load_open(task_id)
        _require_step_member(actor, task)
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
        audit.record("signer_removed", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id, data={"user": username, "plan": plan})
        for row in rows:
            if row.status == TaskStatus.OPEN and row.assignee and row.assignee.username == username:
                transition(row, TaskStatus, TaskStatus.CANCELLED)
                audit.record("task_cancelled", actor=actor, instance_id=row.instance_id, element_id=row.element_id,
                             element_name=row.name, task_id=row.id, data={"reason": "signer removed"})
        rows = rows_of_step(task)
        compiled, step = _step_config(task)
        decision = evaluate(task.step_mode, rows, plan, step.vote_pass_rate if step else 0.5)
        if decision is not None and any(r.status == TaskStatus.COMPLETED for r in rows):
            last = max((r for r in rows if r.status == TaskStatus.COMPLETED), key=lambda r: r.completed_at)
            finish_step(actor, last, {"decision": decision, "opinion": "", "signatures": _signatures(rows)},
                        already_marked=True, record_as=task)
        elif task.step_mode == ApprovalMode.SEQUENTIAL and not any(r.status == TaskStatus.OPEN for r in rows):
            _open_next_in_sequence(task, compiled, actor, plan, rows)
    return task


def urge(actor, instance_id, note=""):
    """催办: the initiator reminds the current approvers (at most once per interval per task)."""
    interval = timedelta(seconds=current_app.config.get("URGE_INTERVAL_SECONDS", 600))
    with command():
        instance = db.session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound(_("Case %(id)s does not exist.", id=instance_id))
        if instance.started_by_id != actor.id and not is_admin(actor):
            raise Forbidden(_("Only the initiator may urge the approvers."))
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("The case has ended."))
        open_rows = db.session.execute(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars().all()
        waiting = [r for r in open_rows if r.assignee_id != actor.id]
        if not waiting:
            raise Conflict(_("Nobody else is working on the case now."))
        now = _now()
        if any(r.last_urged_at and now - r.last_urged_at < interval for r in waiting):
            raise Conflict(_("The approvers were reminded less than %(m)d minutes ago.",
                             m=int(interval.total_seconds() // 60)))
        for row in waiting:
            row.last_urged_at = now
            ids = [row.assignee_id] if row.assignee_id else notifications._members(
                [g for g in row.candidate_groups.split(",") if g])
            notifications.notify(ids, "urge", notifications.said(
                "Please handle: %(step)s — %(case)s %(note)s", step=row.name,
                case=instance.title or instance.business_key, note=note), instance.id, row.id)
        audit.record("task_urged", actor=actor, instance_id=instance.id, data={
            "tasks": [r.id for r in waiting], "note": note})
    return len(waiting)


def carbon_copy(actor, instance_id, usernames, note="", element_id=""):
    """抄送: copy a case to people for information; they see it in their CC inbox."""
    with command():
        instance = db.session.get(ProcessInstance, instance_id)
        if instance is None or not can_view_instance(actor, instance):
            raise Forbidden(_("You may not see this case."))
        if not may_copy(actor, instance):
            raise Forbidden(_("Only the initiator and the people who worked on the case may copy it."))
        users = [_user(u) for u in dict.fromkeys(usernames) if u]
        refused = [u.username for u in users if not may_be_copied(u, instance)]
        if refused:
            raise ValidationFailed(_("Some people may not receive this case."), {"users": [
                _("%(names)s: copies go to the applicant's own unit or the offices overseeing the case.",
                  names=", ".join(refused))]})
        if not users:
            raise ValidationFailed(_("Name at least one person."), {"users": [_("Name at least one person.")]})
        copy_to(instance, users, actor, note, element_id)
    return len(users)


def copy_to(instance, users, actor, note="", element_id=""):
    """Copy the case to `users` (anything with .id and .username). The copies are appended rows:
    nobody reads them back in the command that writes them."""
    for user in users:
        appends.add(db.session, CarbonCopy.__table__, rows.full_row(CarbonCopy, {
            "instance_id": instance.id, "user_id": user.id, "sender_id": actor.id if actor else None,
            "element_id": element_id, "note": note[:500]}))
    notifications.notify([u.id for u in users], "cc", notifications.said(
        "Copied to you: %(case)s", case=instance.title or instance.business_key), instance.id)
    audit.record("case_copied", actor=actor, instance_id=instance.id, element_id=element_id,
                 data={"to": [u.username for u in users], "note": note})


def cc_inbox(user, unread_only=False, limit=100):
    query = select(CarbonCopy).where(CarbonCopy.user_id == user.id)
    if unread_only:
        query = query.where(CarbonCopy.read_at.is_(None))
    return db.session.execute(query.order_by(CarbonCopy.created_at.desc()).limit(limit)).scalars().all()


def read_cc(user, cc_id):
    with command():
        item = db.session.get(CarbonCopy, cc_id)
        if item is None or item.user_id != user.id:
            raise NotFound(_("No such copy."))
        item.read_at = item.read_at or _now()
    return item


def take_back(actor, instance_id, kind):
    """撤回 (withdraw, kind='withdraw': the initiator) or 拿回 (reclaim, kind='reclaim': the last approver).

    Allowed while nobody has acted on what followed the actor's last step: the
    case returns to that step, open tasks after it are cancelled."""
    from .runtime import apply_step, audited_handlers, run_engine
    with command():
        instance = db.session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound(_("Case %(id)s does not exist.", id=instance_id))
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("The case has ended."))
        if kind == "withdraw" and instance.started_by_id != actor.id:
            raise Forbidden(_("Only the initiator may withdraw the case."))
        rows = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)
                                  .order_by(HumanTask.id)).scalars().all()
        completed = [r for r in rows if r.status == TaskStatus.COMPLETED]
        if not completed or completed[-1].completed_by_id != actor.id:
            raise Conflict(_("You were not the last to act on this case."))
        last = completed[-1]
        later = [r for r in rows if r.id > last.id]
        if any(r.status == TaskStatus.COMPLETED or r.claimed_at is not None or r.draft_data for r in later):
            raise Conflict(_("Someone has already acted on the next step; it can no longer be taken back."))
        compiled = definitions.compiled_by_id(instance.definition_id)

        def go():
            workflow = runner.open_workflow(instance.state, compiled, audited_handlers(instance, actor))
            runner.reset_to(workflow, last.element_id)
            return workflow
        workflow = run_engine(go, instance)
        audit.record("case_taken_back", actor=actor, instance_id=instance.id, element_id=last.element_id,
                     element_name=last.name, data={"kind": kind, "completed": runner.snapshot_path(workflow),
                                                   "waiting": runner.waiting_elements(workflow)})
        apply_step(instance, compiled, workflow, actor)
    return instance


def return_targets(task):
    """Earlier user steps of this case the approver may send it back to (step property `returnTo`).

    Earlier means before this step on the diagram's forward flow (engine/flow_order.py), and
    done in this case: after a return for revision, the reviewers' steps are in the applicant's
    past but ahead of the applicant's step, so they are not targets."""
    compiled, step = _step_config(task)
    allowed = step.properties.get("returnTo", "any") if step else "any"
    if allowed == "none":
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
    from .runtime import apply_step, audited_handlers, run_engine
    with command():
        task = _load_open(task_id)
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
            workflow = runner.open_workflow(instance.state, compiled, audited_handlers(instance, actor))
            runner.reset_to(workflow, element_id)
            return workflow
        workflow = run_engine(go, instance)
        task.decision, task.opinion = "return", opinion
        audit.record("case_returned_to", actor=actor, instance_id=instance.id, element_id=element_id,
                     element_name=compiled.element_names.get(element_id, element_id), task_id=task.id,
                     data={"from": task.element_id, "opinion": opinion, "completed": runner.snapshot_path(workflow),
                           "waiting": runner.waiting_elements(workflow)})
        notifications.returned(instance, task.name, opinion)
        apply_step(instance, compiled, workflow, actor)
    return instance
