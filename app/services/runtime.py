"""The runtime service: starting instances, and saving what each engine step
changed (instance state, inbox rows, audit events) in the calling command."""
import secrets
from datetime import datetime, timezone

from flask_babel import gettext as _
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from ..engine import deadlines, expressions, runner
from ..engine.errors import ExpressionError, ServiceCallError
from ..extensions import db
from ..models import Group, HumanTask, ProcessInstance, TaskCandidate, User, user_groups
from ..models.states import InstanceStatus, TaskStatus, transition
from . import audit, definitions
from .errors import Forbidden, NotFound, ServiceError
from .handlers import bound_handlers
from .permissions import ADMINS, can_start, can_view_instance
from .transaction import command


class ProcessFailed(ServiceError):
    """The engine could not continue (a failing condition or service task); nothing was saved."""
    status = 422


def _now():
    return datetime.now(timezone.utc)


def business_key(settings):
    prefix = settings.properties.get("businessKeyPrefix", settings.key[:3].upper())
    return f"{prefix}-{_now():%Y%m%d}-{secrets.token_hex(3).upper()}"


def audited_handlers(instance, actor):
    """Whitelisted handlers bound to this instance, each call recorded in the audit trail."""
    def wrap(topic, handler):
        def call(data, element="", **kwargs):
            result = handler(data, **kwargs)
            audit.record("service_task_completed", actor=actor, instance_id=instance.id, element_id=element,
                         element_name=definitions.compiled(instance.definition).element_names.get(element, element),
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


def start_instance(actor, process_key):
    """Start the newest version of a process; the initiator becomes `initiator` in its data."""
    definition = definitions.latest(process_key)
    compiled = definitions.compiled(definition)
    if not can_start(actor, compiled.settings):
        raise Forbidden(_("You may not start this process."))
    with command():
        instance = ProcessInstance(
            definition_id=definition.id, process_key=definition.key, business_key=business_key(compiled.settings),
            status=InstanceStatus.RUNNING, state="", started_by_id=actor.id, started_at=_now())
        db.session.add(instance)
        db.session.flush()
        initial = {"initiator": actor.username, "initiator_name": actor.display_name,
                   "initiator_unit": actor.unit.key if actor.unit else ""}
        audit.record("instance_started", actor=actor, instance_id=instance.id, data={
            "process": definition.key, "version": definition.version, "business_key": instance.business_key,
            "data": initial})

        def go():
            workflow = runner.new_workflow(compiled, initial, audited_handlers(instance, actor))
            runner.advance(workflow)
            return workflow
        workflow = run_engine(go, instance)
        audit.record("steps_completed", actor=actor, instance_id=instance.id,
                     data={"path": runner.snapshot_path(workflow),   # what ran before the first wait, for replay
                           "waiting": runner.waiting_elements(workflow)})
        apply_step(instance, compiled, workflow, actor)
    return instance


def _resolve_user(username):
    if not username:
        return None
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _anyone_in(group_keys, usernames):
    """Whether at least one active account could act on a task offered to these candidates."""
    if usernames and db.session.execute(select(User.id).where(
            User.username.in_(usernames), User.active.is_(True)).limit(1)).first():
        return True
    if not group_keys:
        return False
    return db.session.execute(select(User.id).join(user_groups, user_groups.c.user_id == User.id)
                              .join(Group, Group.id == user_groups.c.group_id)
                              .where(Group.key.in_(group_keys), User.active.is_(True)).limit(1)).first() is not None


def _create_task(instance, compiled, ready, actor):
    step = compiled.steps.get(ready.element_id)
    data = ready.data
    assignee = _resolve_user(expressions.interpolate(step.assignee, data)) if step and step.assignee else None
    groups = [expressions.interpolate(g, data) for g in (step.candidate_groups if step else ())]
    users = [expressions.interpolate(u, data) for u in (step.candidate_users if step else ())]
    groups, users = [g for g in groups if g], [u for u in users if u]
    fallback = assignee is None and not _anyone_in(groups, users)
    if fallback:  # never a silent stuck case: administrators get it, and the audit trail says so
        groups, users = [ADMINS], []
    created = _now()
    task = HumanTask(
        instance_id=instance.id, spiff_task_id=ready.spiff_id, element_id=ready.element_id,
        name=ready.name, form_key=step.form_key if step else "", status=TaskStatus.OPEN,
        candidate_groups=",".join(groups), candidate_users=",".join(users),
        assignee_id=assignee.id if assignee else None, process_key=instance.process_key,
        process_name=compiled.name, instance_title=instance.title, business_key=instance.business_key,
        district=instance.district, created_at=created,
        due_at=deadlines.due_at(step.due_date, data, created) if step else None)
    db.session.add(task)
    db.session.flush()
    for group in groups:
        db.session.add(TaskCandidate(task_id=task.id, group_key=group, task_created_at=created))
    for username in users:
        user = _resolve_user(username)
        if user is not None:
            db.session.add(TaskCandidate(task_id=task.id, user_id=user.id, task_created_at=created))
    audit.record("task_created", actor=actor, instance_id=instance.id, element_id=task.element_id,
                 element_name=task.name, task_id=task.id, data={
                     "assignee": assignee.username if assignee else None, "candidate_groups": groups,
                     "candidate_users": users, "unresolved_fallback": fallback,
                     "due_at": task.due_at.isoformat() if task.due_at else None})
    return task


def close_candidates(task):
    db.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id))


def apply_step(instance, compiled, workflow, actor):
    """Persist what the engine did: state, case fields, inbox rows, outcome, audit."""
    snap = runner.snapshot(workflow)
    instance.state = snap.state
    settings = compiled.settings
    data = snap.data
    if settings.title_field and data.get(settings.title_field):
        instance.title = str(data[settings.title_field])[:300]
    if settings.scope_field and data.get(settings.scope_field):
        instance.district = str(data[settings.scope_field])
    open_tasks = {t.spiff_task_id: t for t in db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalars()}
    ready_ids = {r.spiff_id for r in snap.ready_tasks}
    for spiff_id, task in open_tasks.items():
        if spiff_id not in ready_ids:
            transition(task, TaskStatus, TaskStatus.CANCELLED)
            close_candidates(task)
            audit.record("task_cancelled", actor=actor, instance_id=instance.id, element_id=task.element_id,
                         element_name=task.name, task_id=task.id)
        else:
            task.instance_title, task.district = instance.title, instance.district
    for ready in snap.ready_tasks:
        if ready.spiff_id not in open_tasks:
            _create_task(instance, compiled, ready, actor)
    instance.current_steps = ", ".join(r.name for r in snap.ready_tasks)[:500]
    if snap.completed and instance.status == InstanceStatus.RUNNING:
        transition(instance, InstanceStatus, InstanceStatus.COMPLETED)
        instance.outcome = snap.end_element
        instance.ended_at = _now()
        audit.record("instance_completed", actor=actor, instance_id=instance.id, element_id=snap.end_element,
                     element_name=compiled.element_names.get(snap.end_element, snap.end_element),
                     data={"outcome": snap.end_element})
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
    compiled = definitions.compiled(instance.definition)
    workflow = runner.open_workflow(instance.state, compiled)
    snap_path = runner.snapshot_path(workflow)
    active = [r.element_id for r in runner.ready_user_tasks(workflow)]
    data = runner.current_data(workflow)
    return {"instance": instance, "completed": sorted(set(snap_path)), "active": active, "data": data,
            "path": snap_path}


def task_data(task):
    """The case data as the given open task sees it (for showing the form read-only)."""
    compiled = definitions.compiled(task.instance.definition)
    workflow = runner.open_workflow(task.instance.state, compiled)
    return runner.task_data(workflow, task.spiff_task_id) or runner.current_data(workflow)
