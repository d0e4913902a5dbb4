"""The task service: claim, release, save a draft, complete.

Each is one command: check the actor's right → check the version the caller
saw → act through the engine → save task, instance, inbox and audit together.
"""
import json
from datetime import datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..engine import runner
from ..engine.steps import ApprovalMode
from ..extensions import db
from ..models import HumanTask, ProcessInstance
from ..models.states import TaskStatus, transition
from . import approval, attachments, audit, definitions, forms, members, notifications, rows
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .permissions import can_act_on_task, can_see_task, is_candidate
from .runtime import apply_step, audited_handlers, close_candidates, close_task, open_candidates, run_engine
from .transaction import command

MAX_DRAFT_BYTES = 512 * 1024
JUMP_BACK = "resubmit_jumps_to"   # case data: the step a resubmitted case goes straight back to


def _now():
    return datetime.now(timezone.utc)


# Read by prepared statements (rows.load); completing a task always needs its case: one joined read.
_TASK = rows.select_rows(HumanTask).where(HumanTask.id == bindparam("id"))
_TASK_WITH_CASE = rows.select_rows(HumanTask, ProcessInstance) \
    .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(HumanTask.id == bindparam("id"))
# Every command on a task appends to its case's audit chain: on SQLite the chain's head comes with
# the row (audit.carry_head says why only there).
_HEADED = {_TASK: _TASK.add_columns(*audit.head_columns(HumanTask.instance_id)),
           _TASK_WITH_CASE: _TASK_WITH_CASE.add_columns(*audit.head_columns(HumanTask.instance_id))}


def _load(task_id, with_instance=False):
    task = db.session.identity_map.get(identity_key(HumanTask, task_id))
    if task is None or inspect(task).expired:
        try:
            task_id = int(task_id)
        except (TypeError, ValueError):
            task_id = None
        statement = _TASK_WITH_CASE if with_instance else _TASK
        headed = audit.carries_heads(db.session)
        if headed:
            statement = _HEADED[statement]
        if with_instance:
            found = rows.load(db.session, statement, {"id": task_id}, HumanTask, ProcessInstance)
            for task, instance, *_head in found:     # the task holds its case, as a joined load would
                set_committed_value(task, "instance", instance)
        else:
            found = rows.load(db.session, statement, {"id": task_id}, HumanTask)
        task = found[0][0] if found else None
        if task is not None and headed:
            audit.carry_head(task.instance_id, *found[0][-2:])
    if task is None:
        raise NotFound(_("Task %(id)s does not exist.", id=task_id))
    return task


def _check_version(task, expected_version):
    if expected_version is not None and int(expected_version) != task.version:
        raise Conflict(_("This task has changed since you opened it (in another window, or by someone else)."))


def _check_open(task):
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("This task is no longer open (%(status)s).", status=task.status))


def get_task(actor, task_id):
    task = _load(task_id)
    if not can_see_task(actor, task):
        raise Forbidden(_("You may not see this task."))
    return task


def form_of(task):
    """The JSON Schema of a task's form, from the definition version its case is pinned to."""
    return definitions.forms_by_id(task.instance.definition_id).get(task.form_key) or {}


def claim(actor, task_id, expected_version=None):
    with command():
        task = _load(task_id)
        _check_open(task)
        if task.assignee_id == actor.id:
            return task       # claimed already (a second tab, a double click): nothing to do
        if task.assignee_id is not None:
            raise Conflict(_("This task has already been claimed."))
        if not is_candidate(actor, task):
            raise Forbidden(_("This task is not offered to you."))
        _check_version(task, expected_version)
        task.assignee_id, task.claimed_at = actor.id, _now()
        close_candidates(task)
        audit.record("task_claimed", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id)
    return task


def release(actor, task_id, expected_version=None):
    with command():
        task = _load(task_id)
        _check_open(task)
        if task.assignee_id != actor.id:
            raise Forbidden(_("Only the person who claimed this task can release it."))
        if not (task.candidate_groups or task.candidate_users):
            raise Conflict(_("This task was assigned to you directly; there is no group to release it to."))
        _check_version(task, expected_version)
        task.assignee_id, task.claimed_at = None, None
        open_candidates(task)
        audit.record("task_released", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id)
    return task


def _authorise(actor, task, expected_version):
    _check_open(task)
    if not can_act_on_task(actor, task):
        raise Forbidden(_("This task is not yours."))
    _check_version(task, expected_version)


def _name_a_new_case(actor, task, data):
    """A case not yet submitted takes its name from the applicant's draft, so the inbox and
    'my applications' can tell one draft from another. Once submitted, only the submitted form names it."""
    instance = task.instance
    title_field = definitions.compiled_by_id(instance.definition_id).settings.title_field
    named = str(data.get(title_field) or "").strip()[:300] if title_field else ""
    if not named or actor.id != instance.started_by_id or instance.title not in ("", task.instance_title):
        return
    submitted = db.session.execute(select(HumanTask.id).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.COMPLETED).limit(1)).first()
    if submitted is None:
        instance.title = task.instance_title = named


def save_draft(actor, task_id, data, expected_version=None, files=()):
    """Keep unfinished form data on the task; nothing moves in the process."""
    with command():
        task = _load(task_id)
        _authorise(actor, task, expected_version)
        if task.delegation_state == "pending":
            raise Forbidden(_("A delegated task goes back to its owner to finish; hand it back with your opinion."))
        if not isinstance(data, dict) or len(json.dumps(data, default=str)) > MAX_DRAFT_BYTES:
            raise ValidationFailed(_("The draft is not valid."), {"_form": [_("The draft is too large.")]})
        data = attachments.attach_uploads(actor, task.instance, data, files)
        _name_a_new_case(actor, task, data)     # (reads first: the task's row is then written once)
        task.draft_data = data
        audit.record("task_draft_saved", actor=actor, instance_id=task.instance_id,
                     element_id=task.element_id, element_name=task.name, task_id=task.id,
                     data={"fields": sorted(data)})
    return task


def complete(actor, task_id, data, expected_version=None, files=()):
    """Complete a task with its form data and move the case on.

    On a step with several approvers this records the actor's decision; the
    case moves on when the step's approval mode has a result."""
    with command():
        task = _load(task_id, with_instance=True)
        _authorise(actor, task, expected_version)
        if task.delegation_state == "pending":
            raise Forbidden(_("A delegated task goes back to its owner to finish; hand it back with your opinion."))
        instance = task.instance
        compiled = definitions.compiled_by_id(instance.definition_id)
        step = compiled.steps.get(task.element_id)
        data = attachments.attach_uploads(actor, instance, dict(data or {}), files)
        if step is not None and step.readonly_fields:   # read-only here: the case keeps its values
            from .runtime import task_data
            current = task_data(task)
            for name in step.readonly_fields:
                data.pop(name, None)
                if name in current:
                    data[name] = current[name]
        scope = compiled.settings.scope_field
        if scope and instance.district and actor.id != instance.started_by_id and \
                scope in form_of(task).get("properties", {}):
            data[scope] = instance.district    # only the applicant places the case; a reviewer cannot move it
        cleaned = forms.validate(form_of(task), data, opinion_required=bool(step and step.opinion_required))
        if task.step_mode in ApprovalMode.MULTI:
            aggregated = approval.record_signature(actor, task, cleaned)
            _close(task, actor)
            if aggregated is not None:
                finish_step(actor, task, aggregated, already_marked=True)
        else:
            finish_step(actor, task, cleaned)   # the engine runs before anything is written
        task.instance_title, task.district = instance.title, instance.district   # the form may have named the case
    return task


def finish_step(actor, task, form, already_marked=False, record_as=None):
    """Complete the engine task behind `task` with `form`, record it and move the case on (inside a command)."""
    instance = task.instance
    compiled = definitions.compiled_by_id(instance.definition_id)
    step = compiled.steps.get(task.element_id)
    form = dict(form)
    decision = forms.decision_of(form)
    if decision == "return" and step is not None and step.properties.get("afterResubmit") == "jump_back":
        form[JUMP_BACK] = task.element_id           # after resubmission, come straight back here

    def go():
        workflow = runner.open_workflow(instance.state, compiled, audited_handlers(instance, actor))
        if (runner.task_data(workflow, task.spiff_task_id) or {}).get(JUMP_BACK) == task.element_id \
                and JUMP_BACK not in form:
            form[JUMP_BACK] = None                  # back at the step that returned it: the path is normal again
        before = len(runner.snapshot_path(workflow))
        runner.complete_user_task(workflow, task.spiff_task_id, form)
        return workflow, before
    workflow, before = run_engine(go, instance)
    if not already_marked:
        transition(task, TaskStatus, TaskStatus.COMPLETED)
        task.completed_by_id, task.completed_at = actor.id, _now()
        task.decision = forms.decision_of(form)
        task.opinion = str(form.get("opinion", ""))
        _close(task, actor)
    completed = runner.completed_tasks(workflow)
    path = [t.task_spec.bpmn_id for t in completed[before:]]
    ready = runner.ready_user_tasks(workflow)
    subject = record_as or task
    audit.record("task_completed", actor=actor, instance_id=instance.id, element_id=subject.element_id,
                 element_name=subject.name, task_id=subject.id, data={
                     "decision": decision, "opinion": str(form.get("opinion", "")), "form": form, "path": path,
                     "waiting": runner.waiting_elements(workflow, ready)})
    if decision == "return":
        notifications.returned(instance, task.name, str(form.get("opinion", "")))
    if step is not None and step.cc_templates:
        _configured_copies(instance, step, runner.current_data(workflow), actor)
    apply_step(instance, compiled, workflow, actor, ready, completed)


def _close(task, actor):
    if task.assignee_id is None and actor is not None:
        task.assignee_id = actor.id
    task.draft_data = None
    close_task(task)


def _configured_copies(instance, step, data, actor):
    """CC recipients configured on the step (user names, or group:<key>), copied when it completes."""
    from .runtime import group_members, resolve_names
    names = resolve_names(step.cc_templates, data)
    usernames = [n for n in names if not n.startswith("group:")]
    usernames += group_members([n[len("group:"):] for n in names if n.startswith("group:")])
    recipients = members.by_names(usernames)
    if recipients:
        approval.copy_to(instance, recipients, actor, element_id=step.element_id)
