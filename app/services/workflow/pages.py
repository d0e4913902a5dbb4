"""What the task page and a case's detail show, read in one service call each (no command: reads only)."""
from dataclasses import dataclass, field

from ...extensions import db
from ...models import HumanTask, ProcessInstance
from ..audit import trail as audit
from ..identity import users
from ..identity.permissions import can_act_on_task, is_admin, is_candidate, may_copy
from ..registries.projects import detail as project_detail
from . import cases, definitions, forms, queries, resubmission, subscriptions, tasks
from .approval import case_actions, handover


def submission_schema(definition, compiled):
    """The form the case was submitted with (process property `submissionForm`), shown read-only
    beside the later steps and on the case page; {} when the process names none."""
    return definition.forms.get(compiled.settings.submission_form, {}) if compiled.settings.submission_form else {}


def without_fields(schema, hidden):
    """A JSON Schema without the properties this viewer may not see."""
    if not schema or not hidden:
        return schema
    trimmed = dict(schema)
    trimmed["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k not in hidden}
    trimmed["required"] = [k for k in schema.get("required", []) if k not in hidden]
    return trimmed


@dataclass
class TaskPage:
    task: HumanTask
    schema: dict                      # the step's form, without the fields hidden at this step
    values: dict                      # what the form shows: the user's input, the draft, or the case data
    case: dict                        # the case data as this task sees it (open tasks only)
    application_schema: dict          # the application form beside a later step, if any
    readonly_fields: list
    opinion_required: bool
    history: list                     # completed rows with a decision or an opinion
    step_rows: list                   # every row of this visit of the step (several approvers)
    directory: list                   # whom the task may be handed to or copied to
    return_targets: list
    can_act: bool
    can_claim: bool
    resubmission: object = None       # after this step returned the case: what the applicant changed since
    may_hand_over: bool = False       # 转办/委派 offered (not on the applicant's own step)
    may_change_signers: bool = False  # 加签/减签 offered (the step allows it, or an administrator)
    options: dict = field(default_factory=dict)   # field -> [(value, label)]: choices that depend on the user
    shown_before_claim: dict = field(default_factory=dict)   # the read-only part of the form: what the task is about
    may_copy: bool = False            # 抄送 offered (the initiator, the people who worked on the case, admins)
    project: object = None            # a project review step (`showProject`): projects.detail.ProjectDetail
    project_parts: list = field(default_factory=list)   # what of it the step shows
    project_forms: list = field(default_factory=list)   # (part, form schema) shown read-only with the case data


def task_page(actor, task_id, entered=None):
    """The task page for `actor` (permission-checked). `entered`: the user's own input to show again
    (a refused or conflicting submission), else the draft or the case data fill the form."""
    task = tasks.get_task(actor, task_id)
    definition = task.instance.definition
    compiled = definitions.compiled(definition)
    step = compiled.steps.get(task.element_id)
    hidden = step.hidden_fields if step is not None else frozenset()
    schema = tasks.form_of(task)
    case = cases.task_data(task) if task.status == "open" else {}
    if entered is None:
        entered = tasks.visible_draft(actor, task) or \
            ({} if task.form_key == "review_opinion" else forms.prefill(schema, case))
    application = submission_schema(definition, compiled) if task.form_key != compiled.settings.submission_form else {}
    rows = queries.tasks_of(task.instance)
    parts = project_detail.review_parts(step.properties.get("showProject", "") if step is not None else "")
    material = project_detail.review_material(task.instance_id, parts)
    return TaskPage(
        task=task, schema=without_fields(schema, hidden), values=entered, case=case,
        application_schema=without_fields(application, hidden),
        readonly_fields=sorted(step.readonly_fields) if step is not None else [],
        opinion_required=bool(step and step.opinion_required),
        history=[t for t in rows if t.status == "completed" and (t.decision or t.opinion)],
        step_rows=[t for t in rows if t.spiff_task_id == task.spiff_task_id
                   and t.visit_opened_at == task.visit_opened_at],
        directory=users.picker_directory(),
        return_targets=case_actions.return_targets(task) if task.status == "open" else [],
        can_act=can_act_on_task(actor, task),
        can_claim=task.assignee_id is None and is_candidate(actor, task),
        resubmission=resubmission.since_return(task.instance, task.element_id, without_fields(application, hidden))
        if task.status == "open" and application else None,
        may_hand_over=is_admin(actor) or not handover.is_own_application_step(task),
        may_change_signers=is_admin(actor) or bool(step is not None and step.signer_changes),
        options=forms.field_options(schema, db.session, actor),
        shown_before_claim=without_fields(schema, set(schema.get("properties", {})) - set(
            step.readonly_fields if step is not None else ())),
        may_copy=task.status == "open" and may_copy(actor, task.instance),
        project=material, project_parts=parts if material is not None else [],
        project_forms=_project_forms(definition, parts, hidden) if material is not None and case else [])


def _project_forms(definition, parts, hidden):
    """The team's forms a review step shows read-only (`showProject`: acceptance, rectification)."""
    shown = []
    for part in parts:
        schema = definition.forms.get(project_detail.FORM_PARTS.get(part, ""), {})
        if schema:
            shown.append((part, without_fields(schema, hidden)))
    return shown


@dataclass
class CaseDetail:
    instance: ProcessInstance
    data: dict                        # the case data, without the fields hidden from this viewer
    hidden: frozenset
    completed: list                   # element ids the case has passed
    active: list                      # element ids waiting now
    path: list
    tasks: list
    events: list                      # audit events; hidden fields are left out of their data
    chain: audit.ChainReport
    application_schema: dict = field(default_factory=dict)
    waiting_for: list = field(default_factory=list)   # the messages and signals it waits for (subscriptions)
    may_copy: bool = False            # 抄送 offered to this viewer
    directory: list = field(default_factory=list)     # the people picker's choices, when it is


def case_detail(actor, instance_id):
    """A case as its page and the API show it (permission-checked): data, steps, inbox rows, audit trail."""
    view = cases.case_view(actor, instance_id)
    instance = view["instance"]
    rows = queries.tasks_of(instance)
    hidden = cases.hidden_fields_of(actor, instance, rows)
    events = audit.events_of(instance.id)
    copying = may_copy(actor, instance)
    return CaseDetail(
        instance=instance, data={k: v for k, v in view["data"].items() if k not in hidden}, hidden=hidden,
        completed=view["completed"], active=view["active"], path=view["path"], tasks=rows,
        events=[_event_without(e, hidden) for e in events] if hidden else events,
        chain=audit.verify_chain(audit.chain_of(instance.id)),
        application_schema=without_fields(submission_schema(
            instance.definition, definitions.compiled_by_id(instance.definition_id)), hidden),
        waiting_for=subscriptions.of_instance(db.session, instance.id),
        may_copy=copying, directory=users.picker_directory() if copying else [])


def _event_without(event, hidden):
    """An audit event as a viewer may see it: the form values of hidden fields left out (not the stored row)."""
    data = event.data or {}
    form = data.get("form")
    if not isinstance(form, dict) or not (hidden & set(form)):
        return event
    return _Shown(event, {**data, "form": {k: v for k, v in form.items() if k not in hidden}})


class _Shown:
    """A read-only view of an audit event with other data (never added to the session)."""

    def __init__(self, event, data):
        self._event, self.data = event, data

    def __getattr__(self, name):
        return getattr(self._event, name)
