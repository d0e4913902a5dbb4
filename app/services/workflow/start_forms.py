"""Starting a case from its first form (发起): the page shows the step the initiator fills in first
without writing anything; the first save or submit creates the case (its number, audit events,
inbox row) and saves or completes that step in the same command, or nothing happens.

A process that does anything before that step (a service task, a step for someone else) has no
start form: it is started as before (`cases.start_instance`) and the page offers a plain button."""
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import select

from ...engine import runner
from ...engine.errors import ExpressionError, ServiceCallError
from ...extensions import db
from ...models import HumanTask
from ...models.states import TaskStatus
from ..command import command
from ..errors import Conflict
from ..identity.members import MemberCache
from . import cases, definitions, forms, tasks
from .pages import without_fields

INITIATOR = "${initiator}"


@dataclass
class StartForm:
    definition: Any                   # (id, key, version) of the newest version
    process_name: str = ""
    element_id: str = ""              # the first step; "" when the process has no start form
    step_name: str = ""
    schema: dict = field(default_factory=dict)      # its form, without the fields hidden at the step
    values: dict = field(default_factory=dict)      # the user's input, or the prefill (x-default-from)
    readonly_fields: list = field(default_factory=list)
    opinion_required: bool = False
    options: dict = field(default_factory=dict)     # field -> [(value, label)] for this user


def _first_step(compiled, initial):
    """The step the initiator fills in first and the data it sees, found by running a new case in
    memory with no service handlers (nothing is stored); None when the process does anything else
    before it."""
    try:
        workflow = runner.new_workflow(compiled, initial)
        runner.advance(workflow)
    except (WorkflowException, ExpressionError, ServiceCallError):
        return None
    ready = runner.ready_user_tasks(workflow)
    if len(ready) != 1:
        return None
    step = compiled.steps.get(ready[0].element_id)
    if step is None or step.assignee.replace(" ", "") != INITIATOR or not step.form_key:
        return None
    return step, ready[0].data


def start_form(actor, process_key, entered=None):
    """The start form of a process `actor` may start (permission-checked; reads only). `entered`:
    the user's own input to show again after a refused submission."""
    definition, compiled = cases.startable(actor, process_key)
    initial = cases.initial_data(actor, MemberCache(db.session))
    found = _first_step(compiled, initial)
    if found is None:
        return StartForm(definition, compiled.name)
    step, data = found
    schema = definitions.forms_by_id(definition.id).get(step.form_key) or {}
    return StartForm(
        definition, compiled.name, step.element_id, step.name, without_fields(schema, step.hidden_fields),
        entered if entered is not None else forms.prefill(schema, data),
        sorted(step.readonly_fields), step.opinion_required, forms.field_options(schema, db.session, actor))


def start_schema(actor, process_key):
    """The JSON Schema of the start form (for reading a posted form), {} when there is none."""
    return start_form(actor, process_key).schema


def start_with_form(actor, process_key, data, submit, files=()):
    """The first save (`submit` false) or submit of a start form: one command that starts the case
    and saves a draft on, or completes, its first step. A refusal (a field, a file) leaves no case.
    Returns (case, the first step's inbox row)."""
    definition, compiled = cases.startable(actor, process_key)
    with command(actor) as ctx:
        instance = cases.start_case(ctx, definition, compiled)
        task = db.session.execute(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN,
            HumanTask.assignee_id == actor.id).order_by(HumanTask.id).limit(1)).scalar_one_or_none()
        if task is None:
            raise Conflict(_("This process does not begin with a form for you; start it with the button."))
        if submit:
            tasks.complete_in(ctx, task, data, files)
        else:
            tasks.draft_in(ctx, task, data, files)
    return instance, task
