"""Persisting what the engine did in a step: the case's state, its inbox rows, its outcome.

The task, approval and timer commands all end a step the same way: `finish_step`
completes the engine task and `apply_step` saves the result. This module calls
none of them; approval modes plug in through their registry (approval/modes.py)
and timer jobs are written by timer_jobs.py, which knows nothing of steps.
"""
from sqlalchemy import select

from ...engine import delivery, expressions, runner
from ...engine.errors import ExpressionError
from ...engine.steps import ApprovalMode
from ...models import HumanTask
from ...models.states import InstanceStatus, TaskStatus, transition
from ..audit import trail as audit
from ..identity.permissions import ADMINS
from ..notify import notifications
from . import copies, definitions, forms, message_routing, step_incidents, subscriptions, timer_jobs
from .engine_calls import audited_handlers, run_engine
from .inbox_rows import close_task, group_members, new_task_row, open_step_rows, resolve_names

JUMP_BACK = "resubmit_jumps_to"   # case data: the step a resubmitted case goes straight back to


def finish_step(ctx, task, form, already_marked=False, record_as=None, opened=None):
    """Complete the engine task behind `task` with `form`, record it and move the case on.
    `opened`: the case already opened in this command from its current state, with the audited
    handlers (used for the first run; a retry after a failure opens the state afresh)."""
    actor = ctx.actor
    instance = task.instance
    compiled = definitions.compiled_by_id(instance.definition_id)
    step = compiled.steps.get(task.element_id)
    form = dict(form)
    decision = forms.decision_of(form)
    if decision == "return" and step is not None and step.properties.get("afterResubmit") == "jump_back":
        form[JUMP_BACK] = task.element_id           # after resubmission, come straight back here

    unused = [opened] if opened is not None else []

    def go():       # the decision, and the steps after it left READY (step_incidents.run_on runs them)
        workflow = unused.pop() if unused else \
            runner.open_workflow(instance.state, compiled, audited_handlers(ctx, instance, actor))
        if (runner.task_data(workflow, task.spiff_task_id) or {}).get(JUMP_BACK) == task.element_id \
                and JUMP_BACK not in form:
            form[JUMP_BACK] = None                  # back at the step that returned it: the path is normal again
        before = len(runner.snapshot_path(workflow))
        siblings = [r.spiff_id for r in runner.ready_user_tasks(workflow) if r.element_id == task.element_id]
        runner.complete_user_task(workflow, task.spiff_task_id, form, run_on=False)
        # several instances of one step waiting (multi-instance): which one, for the auditor's re-execution
        index = siblings.index(task.spiff_task_id) if len(siblings) > 1 and task.spiff_task_id in siblings else None
        return workflow, before, index
    workflow, before, instance_index = run_engine(go)
    # the steps after the decision: a failure there is an incident, and the decision is kept
    workflow, incident = step_incidents.run_on(ctx, instance, compiled, workflow, lambda: run_engine(go)[0], task)
    if not already_marked:
        transition(task, TaskStatus, TaskStatus.COMPLETED)
        task.completed_by_id, task.completed_at = actor.id, ctx.now
        task.decision = forms.decision_of(form)
        task.opinion = str(form.get("opinion", ""))
        close_row(ctx, task, actor)
    completed = runner.completed_tasks(workflow)
    path = [t.task_spec.bpmn_id for t in completed[before:]]
    ready = runner.ready_user_tasks(workflow)
    subject = record_as or task
    audit.record(ctx, "task_completed", actor=actor, instance_id=instance.id, element_id=subject.element_id,
                 element_name=subject.name, task_id=subject.id, data={
                     "decision": decision, "opinion": str(form.get("opinion", "")), "form": form, "path": path,
                     "waiting": runner.waiting_elements(workflow, ready),
                     **({"instance_index": instance_index} if instance_index is not None else {}),
                     **({"incident": incident.id} if incident is not None else {})})
    if decision == "return":
        notifications.returned(ctx, instance, definitions.step_label(task), str(form.get("opinion", "")))
    if step is not None and step.cc_templates:
        _configured_copies(ctx, instance, step, runner.current_data(workflow), actor)
    apply_step(ctx, instance, compiled, workflow, ready, completed)


def close_row(ctx, task, actor):
    """A decided row: the actor holds it, its draft is gone, it leaves the inbox."""
    if task.assignee_id is None and actor is not None:
        task.assignee_id = actor.id
    task.draft_data = None
    close_task(ctx, task)


def _configured_copies(ctx, instance, step, data, actor):
    """CC recipients configured on the step (user names, or group:<key>), copied when it completes."""
    names = resolve_names(step.cc_templates, data)
    usernames = [n for n in names if not n.startswith("group:")]
    usernames += group_members(ctx, [n[len("group:"):] for n in names if n.startswith("group:")])
    recipients = ctx.members.by_names(usernames)
    if recipients:
        copies.copy_to(ctx, instance, recipients, actor, element_id=step.element_id)


def apply_step(ctx, instance, compiled, workflow, ready_tasks=None, completed=None, hops=0):
    """Persist what the engine did: state, case fields, inbox rows, timer jobs, event subscriptions,
    outcome, audit; then deliver the messages and signals the step threw (message_routing).

    `ready_tasks`, `completed`: the workflow's READY user tasks and completed tasks, if the
    caller has just read them (the engine's own reads each go through the whole task tree).
    `hops`: how many deliveries led to this step (a guard against diagrams that loop)."""
    for _round in range(100):   # steps decided by policy may lead to further such steps
        _refresh_case_fields(instance, compiled, runner.current_data(workflow))
        if ready_tasks is None:
            ready_tasks = runner.ready_user_tasks(workflow)
        automatic = _sync_rows(ctx, instance, compiled, ready_tasks)
        if not automatic:
            break
        for ready, (decision, reason) in automatic:
            run_engine(lambda ready=ready, decision=decision, reason=reason:
                       complete_automatically(ctx, instance, workflow, ready, decision, reason))
        ready_tasks = completed = None          # the workflow moved on: read them again
    timer_jobs.sync_jobs(ctx, instance, workflow, compiled)
    thrown = delivery.thrown(workflow) if compiled.throws else []     # taken out before the state is saved
    snap = runner.snapshot(workflow, ready_tasks, completed)
    instance.state = snap.state
    instance.current_steps = ", ".join(dict.fromkeys(r.name for r in snap.ready_tasks))[:500]
    if snap.completed and instance.status == InstanceStatus.RUNNING:
        transition(instance, InstanceStatus, InstanceStatus.COMPLETED)
        instance.outcome = snap.end_element
        instance.ended_at = ctx.now
        audit.record(ctx, "instance_completed", actor=ctx.actor, instance_id=instance.id,
                     element_id=snap.end_element,
                     element_name=compiled.element_names.get(snap.end_element, snap.end_element),
                     data={"outcome": snap.end_element})
        end = snap.end_element
        notifications.case_ended(ctx, instance, end, notifications.Name(
            compiled.element_names.get(end, end), compiled.element_names_en.get(end)) if end else None)
    subscriptions.sync(ctx, instance, workflow, compiled)
    if thrown:
        message_routing.route_thrown(ctx, instance, compiled, thrown, apply_step, hops)
    return snap


def complete_automatically(ctx, instance, workflow, ready, decision, reason):
    """Complete a step by policy (no approver, initiator skipped) and record it like a decision."""
    before = len(runner.snapshot_path(workflow))
    form = {"decision": decision, "opinion": ""}
    runner.complete_user_task(workflow, ready.spiff_id, form)
    audit.record(ctx, "task_completed", actor=None, instance_id=instance.id, element_id=ready.element_id,
                 element_name=ready.name, data={
                     "decision": decision, "opinion": "", "form": form, "auto": reason,
                     "path": runner.snapshot_path(workflow)[before:], "waiting": runner.waiting_elements(workflow)})


def _refresh_case_fields(instance, compiled, data):
    settings = compiled.settings
    if settings.title_field and data.get(settings.title_field):
        instance.title = str(data[settings.title_field])[:300]
    if settings.scope_field and data.get(settings.scope_field):
        instance.district = str(data[settings.scope_field])


def _sync_rows(ctx, instance, compiled, ready_tasks):
    """Cancel rows whose task moved on; create rows for the READY tasks that have none.
    Returns automatic decisions."""
    ready_ids = {r.spiff_id for r in ready_tasks}
    open_rows = ctx.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars().all()
    with_rows = set()
    for task in open_rows:
        if task.spiff_task_id not in ready_ids:
            transition(task, TaskStatus, TaskStatus.CANCELLED)
            close_task(ctx, task)
            audit.record(ctx, "task_cancelled", actor=ctx.actor, instance_id=instance.id,
                         element_id=task.element_id, element_name=task.name, task_id=task.id)
            notifications.task_cancelled(ctx, task, definitions.step_label(task))
        else:
            with_rows.add(task.spiff_task_id)
            task.instance_title, task.district = instance.title, instance.district
    automatic = []
    for ready in ready_tasks:
        if ready.spiff_id not in with_rows:
            decided = _create_rows(ctx, instance, compiled, ready)
            if decided is not None:
                automatic.append((ready, decided))
    return automatic


def _approved_before(ctx, instance, element_id):
    """Whether this step was approved earlier in the case (a later visit may be skipped)."""
    return ctx.session.execute(select(HumanTask.id).where(
        HumanTask.instance_id == instance.id, HumanTask.element_id == element_id,
        HumanTask.status == TaskStatus.COMPLETED, HumanTask.decision == "approve").limit(1)).first() is not None


def _previous_approver(ctx, instance):
    """Who approved the case's most recent human step, if it was an approval."""
    last = ctx.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.COMPLETED)
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1)).scalar_one_or_none()
    if last is None or last.decision != "approve" or last.completed_by is None:
        return None
    return last.completed_by


def _create_rows(ctx, instance, compiled, ready):
    """Inbox rows for a newly READY user task, or an automatic decision when the step's policy says so.

    Returns None, or (decision, reason) for the step to be completed automatically."""
    step = compiled.steps.get(ready.element_id)
    if step is None:
        new_task_row(ctx, instance, compiled, ready, ctx.actor, groups=[ADMINS], fallback=True)
        return None
    target = ready.data.get(JUMP_BACK)
    if target and ready.element_id != target and _approved_before(ctx, instance, ready.element_id):
        return ("approve", f"resubmitted: goes straight back to {target}, which returned it")
    repeat = _previous_approver(ctx, instance) if step.auto_approve_repeat else None
    try:
        if step.approval_mode in ApprovalMode.MULTI:
            decided = _open_multi(ctx, instance, compiled, ready, step, repeat)
        else:
            decided = _open_single(ctx, instance, compiled, ready, step, repeat)
    except ExpressionError as exc:
        # who approves could not be worked out (`${assignee}` names nothing in the case data): never a
        # stuck case nor an automatic decision on an error; administrators get it, with the reason
        new_task_row(ctx, instance, compiled, ready, ctx.actor, groups=[ADMINS], fallback=True,
                     unresolved_reason=str(exc))
        return None
    if decided is not False:
        return decided
    if step.no_approver in ("auto_approve", "auto_reject"):   # configured: decide without anyone
        return ("approve" if step.no_approver == "auto_approve" else "reject", "no approver could be resolved")
    # never a silent stuck case: administrators get it, and the audit trail says so
    new_task_row(ctx, instance, compiled, ready, ctx.actor, groups=[ADMINS], fallback=True)
    return None


def _open_multi(ctx, instance, compiled, ready, step, repeat):
    """Rows for a step with several approvers; None when opened, a decision, or False if nobody is there."""
    data, initiator = ready.data, ready.data.get("initiator", "")
    approvers = resolve_names(step.candidate_users, data) + \
        group_members(ctx, resolve_names(step.candidate_groups, data))
    # an inactive account is nobody: left out of the plan (with nobody left, noApprover decides)
    approvers = [u for u in dict.fromkeys(approvers) if (m := ctx.members.user_named(u)) is not None and m.active]
    if step.initiator_is_approver in ("skip", "next_level") and initiator in approvers:
        approvers = [u for u in approvers if u != initiator]
        if step.initiator_is_approver == "next_level":   # the level above decides in their place
            approvers += [u for u in group_members(ctx, [expressions.interpolate(step.next_level_group, data)])
                          if u not in approvers and u != initiator]
    if repeat is not None and repeat.username in approvers:
        return ("approve", f"{repeat.username} approved the step just before")
    if not approvers:
        return False
    open_step_rows(ctx, instance, compiled, ready, ctx.actor, step.approval_mode, approvers)
    return None


def _open_single(ctx, instance, compiled, ready, step, repeat):
    """The row of a one-approver step; None when opened, a decision, or False if nobody is there."""
    data, initiator = ready.data, ready.data.get("initiator", "")
    assignee_name = expressions.interpolate(step.assignee, data) if step.assignee else ""
    assignee = ctx.members.user_named(assignee_name)
    if assignee is not None and not assignee.active:      # nobody: the groups, users or noApprover decide
        assignee = None
    groups = resolve_names(step.candidate_groups, data)
    users = resolve_names(step.candidate_users, data)
    if step.initiator_is_approver == "skip" and assignee_name and assignee_name == initiator \
            and not (groups or users):
        return ("approve", "the initiator is the approver and the step skips them")
    if step.initiator_is_approver == "next_level" and assignee_name and assignee_name == initiator:
        assignee, groups, users = None, [expressions.interpolate(step.next_level_group, data)], []
    if repeat is not None and (repeat == assignee or repeat.username in users or
                               (assignee is None and set(groups) & repeat.group_keys)):
        return ("approve", f"{repeat.username} approved the step just before")
    if assignee is None and not (ctx.members.by_names(users) or ctx.members.of_groups(groups)):
        return False
    new_task_row(ctx, instance, compiled, ready, ctx.actor, assignee=assignee, groups=groups, users=users)
    return None
