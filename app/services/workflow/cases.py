"""Cases: starting one (by a person or a timer start event), and reading one as its page shows it."""
from flask_babel import gettext as _

from ... import localtime
from ...engine import runner
from ...extensions import db
from ...models import ProcessInstance
from ...models.states import InstanceStatus
from ..audit import trail as audit
from ..command import command
from ..errors import Forbidden, NotFound, ServiceError
from ..identity.permissions import can_start, can_view_instance, is_candidate, is_global_reader
from ..registries.consortium import all_consortia
from . import definitions
from .case_keys import business_key
from .definition_admin import check_start_enabled
from .engine_calls import audited_handlers, run_engine
from .steps import apply_step


class StartedByTimer(ServiceError):
    """The process begins at a timer start event: the scheduler starts its cases, not a person."""
    status = 409


class StartedByEvent(ServiceError):
    """The process begins at a message or signal start event: a message or signal starts its cases."""
    status = 409


def startable(actor, process_key):
    """(newest definition, compiled) of a process `actor` may start by hand; refused otherwise."""
    definition = definitions.latest_version(process_key)
    check_start_enabled(process_key)
    compiled = definitions.compiled_by_id(definition.id)
    if compiled.start_timers:
        raise StartedByTimer(_("This process is started by its timer, not by hand."))
    if compiled.event_starts:
        raise StartedByEvent(_("This process is started by a message or signal, not by hand."))
    if not can_start(actor, compiled.settings):
        raise Forbidden(_("You may not start this process."))
    return definition, compiled


def initial_data(actor, members):
    """The data a case started by `actor` begins with: who started it, and their unit."""
    return {"initiator": actor.username, "initiator_name": actor.display_name,
            "initiator_unit": members.unit_key(actor.unit_id),
            "initiator_unit_name": members.unit_name(actor.unit_id)}


def start_case(ctx, definition, compiled):
    """Start a case of `definition` for the command's actor (inside the command: see start_instance)."""
    actor = ctx.actor
    return _start(ctx, definition, compiled, initial_data(actor, ctx.members), {},
                  applicant=ctx.members.unit_name(actor.unit_id) or actor.display_name)


def start_instance(actor, process_key):
    """Start the newest version of a process; the initiator becomes `initiator` in its data."""
    definition, compiled = startable(actor, process_key)
    with command(actor) as ctx:
        return start_case(ctx, definition, compiled)


def start_by_timer(ctx, definition, element_id, due_at):
    """A timer start event fell due: new cases with no initiator (inside the timer job's command).

    One case, or with the process property `startPerRecord=consortium` one case per consortium,
    its id and name in the case data. Returns the cases started."""
    compiled = definitions.compiled(definition)
    initial = {"initiator": "", "initiator_name": "", "initiator_unit": "", "started_by_timer": element_id}
    extra = {"timer": element_id, "due_at": due_at.isoformat()}
    # nobody fills in a form that names the case: the process, its record and the day it began name it
    day = f"{localtime.local(due_at):%Y-%m-%d}"
    if compiled.settings.start_per == "consortium":
        return [_start(ctx, definition, compiled, dict(initial, consortium_id=record.id, consortium_name=record.name),
                       extra, f"{compiled.name} {record.name} {day}"[:300])
                for record in all_consortia(ctx.session)]
    return [_start(ctx, definition, compiled, initial, extra, f"{compiled.name} {day}"[:300])]


def _start(ctx, definition, compiled, initial, extra, title="", applicant=""):
    actor = ctx.actor
    instance = ProcessInstance(
        definition_id=definition.id, process_key=definition.key, business_key=business_key(compiled.settings, ctx.now),
        title=title, applicant=applicant[:200], status=InstanceStatus.RUNNING, state="",
        started_by_id=actor.id if actor is not None else None,
        started_at=ctx.now)
    ctx.session.add(instance)
    ctx.session.flush()      # its id: the audit chain and the inbox rows name it
    audit.record(ctx, "instance_started", actor=actor, instance_id=instance.id, data={
        "process": definition.key, "version": definition.version, "business_key": instance.business_key,
        "data": initial, **extra})

    def go():
        workflow = runner.new_workflow(compiled, initial, audited_handlers(ctx, instance, actor))
        runner.advance(workflow)
        return workflow
    workflow = run_engine(go)
    ready, completed = runner.ready_user_tasks(workflow), runner.completed_tasks(workflow)
    audit.record(ctx, "steps_completed", actor=actor, instance_id=instance.id,
                 data={"path": [t.task_spec.bpmn_id for t in completed],   # what ran before the first wait
                       "waiting": runner.waiting_elements(workflow, ready)})
    apply_step(ctx, instance, compiled, workflow, ready, completed)
    return instance


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
    path = runner.snapshot_path(workflow)
    return {"instance": instance, "completed": sorted(set(path)),
            "active": [r.element_id for r in runner.ready_user_tasks(workflow)],
            "data": runner.current_data(workflow), "path": path}


def task_data(task):
    """The case data as the given open task sees it (for showing the form read-only)."""
    compiled = definitions.compiled_by_id(task.instance.definition_id)
    workflow = runner.open_workflow(task.instance.state, compiled)
    return runner.task_data(workflow, task.spiff_task_id) or runner.current_data(workflow)


def hidden_fields_of(actor, instance, tasks):
    """Those hidden at the steps where the viewer had a task (`tasks`: the case's inbox rows). The
    initiator and the global readers (city office, auditors, admins) see all."""
    if instance.started_by_id == actor.id or is_global_reader(actor):
        return frozenset()
    compiled = definitions.compiled_by_id(instance.definition_id)
    hidden = set()
    for task in tasks:
        if task.assignee_id == actor.id or task.completed_by_id == actor.id or is_candidate(actor, task):
            step = compiled.steps.get(task.element_id)
            if step is not None:
                hidden |= step.hidden_fields
    return frozenset(hidden)
