"""The task commands: claim, release, save a draft, complete.

Each is one command: check the actor's right → check the version the caller
saw → act through the engine → save task, case, inbox and audit together.
"""
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ...engine import runner
from ...engine.steps import ApprovalMode
from ...extensions import db
from ...models import HumanTask
from ...models.states import TaskStatus
from ..audit import trail as audit
from ..command import command
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..identity.permissions import can_act_on_task, can_see_task, is_candidate
from . import attachments, definitions, forms
from .approval import signatures
from .engine_calls import audited_handlers
from .inbox_rows import close_candidates, open_candidates
from .loading import task_for_update
from .steps import close_row, finish_step

MAX_DRAFT_BYTES = 512 * 1024


def _check_version(task, expected_version):
    if expected_version is not None and int(expected_version) != task.version:
        raise Conflict(_("This task has changed since you opened it (in another window, or by someone else)."))


def _check_open(task):
    if task.status == TaskStatus.SUSPENDED:
        raise Conflict(_("The case is suspended: its tasks wait until an administrator resumes it."))
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("This task is no longer open (%(status)s).", status=task.status))


def get_task(actor, task_id):
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(_("Task %(id)s does not exist.", id=task_id))
    if not can_see_task(actor, task):
        raise Forbidden(_("You may not see this task."))
    return task


def visible_draft(actor, task):
    """A draft is unsubmitted work: only the task's assignee sees it (not the case's other readers,
    not the group before someone claims the task)."""
    return task.draft_data if task.assignee_id is not None and task.assignee_id == actor.id else None


@dataclass
class TaskDetail:
    """A task as the API shows it to one user: its form, and its draft only to its assignee."""
    task: HumanTask
    form: dict
    draft: dict | None

    def __getattr__(self, name):
        return getattr(self.task, name)


def task_detail(actor, task_id):
    task = get_task(actor, task_id)
    return TaskDetail(task=task, form=form_of(task), draft=visible_draft(actor, task))


def form_of(task):
    """The JSON Schema of a task's form, from the definition version its case is pinned to."""
    return definitions.forms_by_id(task.instance.definition_id).get(task.form_key) or {}


def claim(actor, task_id, expected_version=None):
    with command(actor) as ctx:
        task = task_for_update(task_id)
        _check_open(task)
        if task.assignee_id == actor.id:
            return task       # claimed already (a second tab, a double click): nothing to do
        if task.assignee_id is not None:
            raise Conflict(_("This task has already been claimed."))
        if not is_candidate(actor, task):
            raise Forbidden(_("This task is not offered to you."))
        _check_version(task, expected_version)
        task.assignee_id, task.claimed_at = actor.id, ctx.now
        close_candidates(ctx, task)
        audit.record(ctx, "task_claimed", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
                     element_name=task.name, task_id=task.id)
    return task


def release(actor, task_id, expected_version=None):
    with command(actor) as ctx:
        task = task_for_update(task_id)
        _check_open(task)
        if task.assignee_id != actor.id:
            raise Forbidden(_("Only the person who claimed this task can release it."))
        if not (task.candidate_groups or task.candidate_users):
            raise Conflict(_("This task was assigned to you directly; there is no group to release it to."))
        _check_version(task, expected_version)
        task.assignee_id, task.claimed_at = None, None
        open_candidates(ctx, task)
        audit.record(ctx, "task_released", actor=actor, instance_id=task.instance_id, element_id=task.element_id,
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
    with command(actor) as ctx:
        task = task_for_update(task_id)
        _authorise(actor, task, expected_version)
        draft_in(ctx, task, data, files)
    return task


def draft_in(ctx, task, data, files=()):
    """Save a draft on a task the command's actor may act on (inside the command)."""
    actor = ctx.actor
    if task.delegation_state == "pending":
        raise Forbidden(_("A delegated task goes back to its owner to finish; hand it back with your opinion."))
    if not isinstance(data, dict) or len(json.dumps(data, default=str)) > MAX_DRAFT_BYTES:
        raise ValidationFailed(_("The draft is not valid."), {"_form": [_("The draft is too large.")]})
    data = attachments.attach_uploads(actor, task.instance, data, files)
    _name_a_new_case(actor, task, data)     # (reads first: the task's row is then written once)
    task.draft_data = data
    audit.record(ctx, "task_draft_saved", actor=actor, instance_id=task.instance_id,
                 element_id=task.element_id, element_name=task.name, task_id=task.id,
                 data={"fields": sorted(data)})


def complete(actor, task_id, data, expected_version=None, files=()):
    """Complete a task with its form data and move the case on.

    On a step with several approvers this records the actor's decision; the
    case moves on when the step's approval mode has a result."""
    with command(actor) as ctx:
        task = task_for_update(task_id)
        _authorise(actor, task, expected_version)
        complete_in(ctx, task, data, files)
    return task


def _kept_values(actor, task, step, compiled, data, workflow):
    """The submitted data with what this actor may not change put back: read-only fields keep the
    case's values (as the task sees them in `workflow`, the case opened for this step), and only the
    applicant places the case (its scope field)."""
    instance = task.instance
    if step is not None and step.readonly_fields:   # read-only here: the case keeps its values
        current = runner.task_data(workflow, task.spiff_task_id) or runner.current_data(workflow)
        for name in step.readonly_fields:
            data.pop(name, None)
            if name in current:
                data[name] = current[name]
    scope = compiled.settings.scope_field
    if scope and instance.district and actor.id != instance.started_by_id and \
            scope in form_of(task).get("properties", {}):
        data[scope] = instance.district    # only the applicant places the case; a reviewer cannot move it
    return data


def complete_in(ctx, task, data, files=()):
    """Complete a task the command's actor may act on (inside the command)."""
    actor = ctx.actor
    if task.delegation_state == "pending":
        raise Forbidden(_("A delegated task goes back to its owner to finish; hand it back with your opinion."))
    instance = task.instance
    compiled = definitions.compiled_by_id(instance.definition_id)
    step = compiled.steps.get(task.element_id)
    data = attachments.attach_uploads(actor, instance, dict(data or {}), files)
    # the case is opened once: read for the read-only fields, then run by finish_step (a large case,
    # such as a yearly review of hundreds of problems, costs a tenth of a second per opening)
    opened = runner.open_workflow(instance.state, compiled, audited_handlers(ctx, instance, actor)) \
        if step is not None and step.readonly_fields else None
    data = _kept_values(actor, task, step, compiled, data, opened)
    schema = form_of(task)
    cleaned = forms.validate(schema, data, opinion_required=bool(step and step.opinion_required),
                             options=forms.field_options(schema, ctx.session, actor))
    if task.step_mode in ApprovalMode.MULTI:
        aggregated = signatures.record_signature(ctx, task, cleaned)
        close_row(ctx, task, actor)
        if aggregated is not None:
            finish_step(ctx, task, aggregated, already_marked=True, opened=opened)
    else:
        finish_step(ctx, task, cleaned, opened=opened)   # the engine runs before anything is written
    task.instance_title, task.district = instance.title, instance.district   # the form may have named the case
