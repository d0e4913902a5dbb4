"""The runtime service: starting instances, and saving what each engine step
changed (instance state, inbox rows, audit events) in the calling command."""
import secrets
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from ..engine import deadlines, expressions, runner
from ..engine.steps import ApprovalMode
from ..engine.errors import ExpressionError, ServiceCallError
from ..extensions import db
from ..models import HumanTask, ProcessInstance, TaskCandidate
from ..models.states import InstanceStatus, TaskStatus, transition
from . import approval, audit, calendar, definitions, members, notifications, rows, statements, timers
from .errors import Forbidden, NotFound, ServiceError
from .handlers import bound_handlers
from .permissions import ADMINS, can_start, can_view_instance
from .transaction import command


# The statements every step runs, built once (building one costs more than SQLite takes to run it).
_KEY_TAKEN = select(ProcessInstance.id).where(ProcessInstance.business_key == bindparam("key"))
_OPEN_CANDIDATES = insert(TaskCandidate)
_CLOSE_CANDIDATES = delete(TaskCandidate).where(TaskCandidate.task_id == bindparam("task_id"))
_OPEN_ROWS = rows.select_rows(HumanTask).where(HumanTask.instance_id == bindparam("instance_id"),
                                               HumanTask.status == TaskStatus.OPEN)


class ProcessFailed(ServiceError):
    """The engine could not continue (a failing condition or service task); nothing was saved."""
    status = 422


def _now():
    return datetime.now(timezone.utc)


GUANGZHOU = timezone(timedelta(hours=8))     # the programme's time zone (China has no daylight saving)


def business_key(settings):
    """PREFIX-YYYYMMDD-<8 hex digits>, not used before. With three random bytes, 1,000 starts on one
    day collided with a probability of about 3 %, and the start failed as a conflict."""
    prefix = settings.properties.get("businessKeyPrefix", settings.key[:3].upper())
    while True:
        key = f"{prefix}-{_now().astimezone(GUANGZHOU):%Y%m%d}-{secrets.token_hex(4).upper()}"   # the local day
        taken = statements.first_row(db.session, _KEY_TAKEN, {"key": key})
        if taken is None:
            return key


def audited_handlers(instance, actor):
    """Whitelisted handlers bound to this instance, each call recorded in the audit trail (after
    the event of the step that set it off: audit.record_after_next)."""
    def wrap(topic, handler):
        def call(data, element="", **kwargs):
            result = handler(data, **kwargs)
            names = definitions.compiled_by_id(instance.definition_id).element_names
            audit.record_after_next("service_task_completed", actor=actor, instance_id=instance.id,
                                    element_id=element, element_name=names.get(element, element),
                                    data={"topic": topic, "result": result})
            return result
        return call
    return {topic: wrap(topic, h) for topic, h in bound_handlers(instance).items()}


def _database_cause(exc):
    seen = exc
    while seen is not None:
        if isinstance(seen, (StaleDataError, DBAPIError)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def run_engine(step, instance):
    """Run an engine call, turning engine failures into a clear, rolled-back error."""
    try:
        return step()
    except (WorkflowException, ExpressionError, ServiceCallError) as exc:
        database_error = _database_cause(exc)
        if database_error is not None:
            raise database_error   # a race lost inside a service task: the command reports a conflict
        element = getattr(getattr(exc, "task_spec", None), "bpmn_id", None) or \
            getattr(getattr(getattr(exc, "task", None), "task_spec", None), "bpmn_id", "")
        raise ProcessFailed(_("The process could not continue at step '%(element)s': %(reason)s",
                              element=element or "?", reason=str(exc).split("\n")[0])) from exc


class StartedByTimer(ServiceError):
    """The process begins at a timer start event: the scheduler starts its cases, not a person."""
    status = 409


def start_instance(actor, process_key):
    """Start the newest version of a process; the initiator becomes `initiator` in its data."""
    definition = definitions.latest_version(process_key)
    compiled = definitions.compiled_by_id(definition.id)
    if compiled.start_timers:
        raise StartedByTimer(_("This process is started by its timer, not by hand."))
    if not can_start(actor, compiled.settings):
        raise Forbidden(_("You may not start this process."))
    with command():
        initial = {"initiator": actor.username, "initiator_name": actor.display_name,
                   "initiator_unit": members.unit_key(actor.unit_id)}
        return _start(definition, compiled, actor, initial, {})


def start_by_timer(definition, element_id, due_at):
    """A timer start event fell due: a new case with no initiator (inside the timer job's command)."""
    compiled = definitions.compiled(definition)
    initial = {"initiator": "", "initiator_name": "", "initiator_unit": "", "started_by_timer": element_id}
    # nobody fills in a form that names the case: the process and the day it began name it
    title = f"{compiled.name} {due_at.astimezone(GUANGZHOU):%Y-%m-%d}"[:300]
    return _start(definition, compiled, None, initial, {"timer": element_id, "due_at": due_at.isoformat()}, title)


def _start(definition, compiled, actor, initial, extra, title=""):
    instance = rows.insert_persistent(
        db.session, ProcessInstance,
        definition_id=definition.id, process_key=definition.key, business_key=business_key(compiled.settings),
        title=title, status=InstanceStatus.RUNNING, state="", started_by_id=actor.id if actor is not None else None,
        started_at=_now())
    audit.record("instance_started", actor=actor, instance_id=instance.id, data={
        "process": definition.key, "version": definition.version, "business_key": instance.business_key,
        "data": initial, **extra})

    def go():
        workflow = runner.new_workflow(compiled, initial, audited_handlers(instance, actor))
        runner.advance(workflow)
        return workflow
    workflow = run_engine(go, instance)
    ready, completed = runner.ready_user_tasks(workflow), runner.completed_tasks(workflow)
    audit.record("steps_completed", actor=actor, instance_id=instance.id,
                 data={"path": [t.task_spec.bpmn_id for t in completed],   # what ran before the first wait
                       "waiting": runner.waiting_elements(workflow, ready)})
    apply_step(instance, compiled, workflow, actor, ready, completed)
    return instance


def _resolve_user(username):
    return members.user_named(username)


def _anyone_in(group_keys, usernames):
    """Whether at least one active account could act on a task offered to these candidates."""
    return bool(members.by_names(usernames) or members.of_groups(group_keys))


def resolve_names(templates, data):
    """Candidate templates -> names. `${expr}` giving a list (chosen approvers) yields each item;
    a text with commas yields each part."""
    names = []
    for template in templates:
        pure = expressions.expressions_in(template)
        if len(pure) == 1 and template.strip() == "${" + pure[0] + "}":
            value = expressions.evaluate(pure[0], data)
            parts = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
        else:
            parts = expressions.interpolate(template, data).split(",")
        names.extend(str(p).strip() for p in parts if str(p).strip())
    return list(dict.fromkeys(names))


def group_members(group_keys):
    """Active user names in the given groups, in a stable order."""
    return [name for _id, name in members.of_groups(group_keys)]


def new_task_row(instance, compiled, ready, actor, *, assignee=None, groups=(), users=(), mode="single",
                 slot=0, plan=None, fallback=False):
    """One inbox row for a READY user task (several for steps with several approvers)."""
    step = compiled.steps.get(ready.element_id)
    created = _now()
    task = rows.insert_persistent(
        db.session, HumanTask,
        instance_id=instance.id, spiff_task_id=ready.spiff_id, element_id=ready.element_id,
        name=ready.name, form_key=step.form_key if step else "", status=TaskStatus.OPEN,
        candidate_groups=",".join(groups), candidate_users=",".join(users),
        assignee_id=assignee.id if assignee else None, process_key=instance.process_key,
        process_name=compiled.name, instance_title=instance.title, business_key=instance.business_key,
        district=instance.district, created_at=created, step_mode=mode, slot=slot, plan=plan,
        due_at=deadlines.due_at(step.due_date, ready.data, timers.now(), step.due_in_working_days,
                                calendar.is_working_day) if step else None)
    timers.schedule_task_due(task, step)
    if task.assignee_id is None:
        open_candidates(task)
    audit.record("task_created", actor=actor, instance_id=instance.id, element_id=task.element_id,
                 element_name=task.name, task_id=task.id, data={
                     "assignee": assignee.username if assignee else None, "candidate_groups": list(groups),
                     "candidate_users": list(users), "unresolved_fallback": fallback, "mode": mode,
                     "slot": slot, "plan": plan, "due_at": task.due_at.isoformat() if task.due_at else None})
    notifications.task_arrived(task, assignee, groups, users)
    return task


def _approved_before(instance, element_id):
    """Whether this step was approved earlier in the case (a later visit may be skipped)."""
    return db.session.execute(select(HumanTask.id).where(
        HumanTask.instance_id == instance.id, HumanTask.element_id == element_id,
        HumanTask.status == TaskStatus.COMPLETED, HumanTask.decision == "approve").limit(1)).first() is not None


def _previous_approver(instance):
    """Who approved the case's most recent human step, if it was an approval."""
    last = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.COMPLETED)
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1)).scalar_one_or_none()
    if last is None or last.decision != "approve" or last.completed_by is None:
        return None
    return last.completed_by


def _create_rows(instance, compiled, ready, actor):
    """Inbox rows for a newly READY user task, or an automatic decision when the step's policy says so.

    Returns None, or (decision, reason) for the step to be completed automatically."""
    step = compiled.steps.get(ready.element_id)
    data = ready.data
    if step is None:
        new_task_row(instance, compiled, ready, actor, groups=[ADMINS], fallback=True)
        return None
    initiator = data.get("initiator", "")
    target = data.get("resubmit_jumps_to")
    if target and ready.element_id != target and _approved_before(instance, ready.element_id):
        return ("approve", f"resubmitted: goes straight back to {target}, which returned it")
    repeat = _previous_approver(instance) if step.auto_approve_repeat else None
    if step.approval_mode in ApprovalMode.MULTI:
        approvers = resolve_names(step.candidate_users, data) + \
            group_members(resolve_names(step.candidate_groups, data))
        approvers = [u for u in dict.fromkeys(approvers) if _resolve_user(u) is not None]
        if step.initiator_is_approver in ("skip", "next_level") and initiator in approvers:
            approvers = [u for u in approvers if u != initiator]
            if step.initiator_is_approver == "next_level":   # the level above decides in their place
                approvers += [u for u in group_members([expressions.interpolate(step.next_level_group, data)])
                              if u not in approvers and u != initiator]
        if repeat is not None and repeat.username in approvers:
            return ("approve", f"{repeat.username} approved the step just before")
        if approvers:
            return approval.open_step(instance, compiled, ready, actor, step, approvers)
    else:
        assignee_name = expressions.interpolate(step.assignee, data) if step.assignee else ""
        assignee = _resolve_user(assignee_name)
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
        if assignee is not None or _anyone_in(groups, users):
            new_task_row(instance, compiled, ready, actor, assignee=assignee, groups=groups, users=users)
            return None
    if step.no_approver in ("auto_approve", "auto_reject"):   # configured: decide without anyone
        return ("approve" if step.no_approver == "auto_approve" else "reject", "no approver could be resolved")
    # never a silent stuck case: administrators get it, and the audit trail says so
    new_task_row(instance, compiled, ready, actor, groups=[ADMINS], fallback=True)
    return None


def open_candidates(task):
    """Candidate rows for a claimable task (open, nobody assigned), from the candidates stored on it."""
    candidates = [{"task_id": task.id, "group_key": group, "user_id": None, "task_created_at": task.created_at}
                  for group in filter(None, task.candidate_groups.split(","))]
    candidates += [{"task_id": task.id, "group_key": None, "user_id": user_id, "task_created_at": task.created_at}
                   for user_id, _name in members.by_names(filter(None, task.candidate_users.split(",")))]
    if candidates:
        statements.execute_many(db.session, _OPEN_CANDIDATES, candidates)


def close_candidates(task):
    """Candidate rows exist only while a task is claimable: claim, completion and cancellation delete them.
    A plain statement: the inbox index rows of one task need no unit of work (and no flush)."""
    statements.execute(db.session, _CLOSE_CANDIDATES, {"task_id": task.id})


def close_task(task):
    """A task leaves the inbox for good (completed or cancelled): no candidates, no pending deadline."""
    close_candidates(task)
    if task.due_at is not None:
        timers.cancel_task_jobs(task)


def _sync_rows(instance, compiled, ready_tasks, actor):
    """Cancel rows whose task moved on; create rows for the READY tasks that have none.
    Returns automatic decisions."""
    ready_ids = {r.spiff_id for r in ready_tasks}
    # Without a flush: a row this command already closed is still open in the database but not
    # in the session (whose objects win), so it is filtered here; new rows were inserted when made.
    open_rows = [task for [task] in rows.load(db.session, _OPEN_ROWS, {"instance_id": instance.id}, HumanTask)]
    with_rows = set()
    for task in (t for t in open_rows if t.status == TaskStatus.OPEN):
        if task.spiff_task_id not in ready_ids:
            transition(task, TaskStatus, TaskStatus.CANCELLED)
            close_task(task)
            audit.record("task_cancelled", actor=actor, instance_id=instance.id, element_id=task.element_id,
                         element_name=task.name, task_id=task.id)
        else:
            with_rows.add(task.spiff_task_id)
            task.instance_title, task.district = instance.title, instance.district
    automatic = []
    for ready in ready_tasks:
        if ready.spiff_id not in with_rows:
            decided = _create_rows(instance, compiled, ready, actor)
            if decided is not None:
                automatic.append((ready, decided))
    return automatic


def _refresh_case_fields(instance, compiled, data):
    settings = compiled.settings
    if settings.title_field and data.get(settings.title_field):
        instance.title = str(data[settings.title_field])[:300]
    if settings.scope_field and data.get(settings.scope_field):
        instance.district = str(data[settings.scope_field])


def complete_automatically(instance, workflow, actor, ready, decision, reason):
    """Complete a step by policy (no approver, initiator skipped) and record it like a decision."""
    before = len(runner.snapshot_path(workflow))
    form = {"decision": decision, "opinion": ""}
    runner.complete_user_task(workflow, ready.spiff_id, form)
    audit.record("task_completed", actor=None, instance_id=instance.id, element_id=ready.element_id,
                 element_name=ready.name, data={
                     "decision": decision, "opinion": "", "form": form, "auto": reason,
                     "path": runner.snapshot_path(workflow)[before:], "waiting": runner.waiting_elements(workflow)})


def apply_step(instance, compiled, workflow, actor, ready_tasks=None, completed=None):
    """Persist what the engine did: state, case fields, inbox rows, outcome, audit.

    `ready_tasks`, `completed`: the workflow's READY user tasks and completed tasks, if the
    caller has just read them (the engine's own reads each go through the whole task tree)."""
    for _round in range(100):   # steps decided by policy may lead to further such steps
        _refresh_case_fields(instance, compiled, runner.current_data(workflow))
        if ready_tasks is None:
            ready_tasks = runner.ready_user_tasks(workflow)
        automatic = _sync_rows(instance, compiled, ready_tasks, actor)
        if not automatic:
            break
        for ready, (decision, reason) in automatic:
            run_engine(lambda: complete_automatically(instance, workflow, actor, ready, decision, reason), instance)
        ready_tasks = completed = None          # the workflow moved on: read them again
    timers.sync_jobs(instance, workflow, compiled)
    snap = runner.snapshot(workflow, ready_tasks, completed)
    instance.state = snap.state
    instance.current_steps = ", ".join(dict.fromkeys(r.name for r in snap.ready_tasks))[:500]
    if snap.completed and instance.status == InstanceStatus.RUNNING:
        transition(instance, InstanceStatus, InstanceStatus.COMPLETED)
        instance.outcome = snap.end_element
        instance.ended_at = _now()
        audit.record("instance_completed", actor=actor, instance_id=instance.id, element_id=snap.end_element,
                     element_name=compiled.element_names.get(snap.end_element, snap.end_element),
                     data={"outcome": snap.end_element})
        notifications.case_ended(instance, snap.end_element)
    return snap


def get_instance(actor, instance_id):
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(_("Case %(id)s does not exist.", id=instance_id))
    if not can_view_instance(actor, instance):
        raise Forbidden(_("You may not see this case."))
    return instance


def case_view(actor, instance_id):
    """A case as its page shows it: data so far, completed and active steps (permission-checked)."""
    instance = get_instance(actor, instance_id)
    compiled = definitions.compiled_by_id(instance.definition_id)
    workflow = runner.open_workflow(instance.state, compiled)
    snap_path = runner.snapshot_path(workflow)
    active = [r.element_id for r in runner.ready_user_tasks(workflow)]
    data = runner.current_data(workflow)
    return {"instance": instance, "completed": sorted(set(snap_path)), "active": active, "data": data,
            "path": snap_path}


def task_data(task):
    """The case data as the given open task sees it (for showing the form read-only)."""
    compiled = definitions.compiled_by_id(task.instance.definition_id)
    workflow = runner.open_workflow(task.instance.state, compiled)
    return runner.task_data(workflow, task.spiff_task_id) or runner.current_data(workflow)


def hidden_fields_for(actor, instance):
    """Form fields this viewer must not see on the case: those hidden at the steps where they
    had a task. The initiator and the global readers (city office, auditors, admins) see all."""
    from .permissions import is_candidate, is_global_reader
    if instance.started_by_id == actor.id or is_global_reader(actor):
        return frozenset()
    compiled = definitions.compiled_by_id(instance.definition_id)
    hidden = set()
    for task in db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)).scalars():
        if task.assignee_id == actor.id or task.completed_by_id == actor.id or is_candidate(actor, task):
            step = compiled.steps.get(task.element_id)
            if step is not None:
                hidden |= step.hidden_fields
    return frozenset(hidden)
