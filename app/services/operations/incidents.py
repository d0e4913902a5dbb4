"""Incidents, as administrators handle them: the list (failed steps and failed timers), one step
incident with its case's data, correcting that data, and retrying.

A step incident (workflow/step_incidents.py) leaves its case right after the decision that set the
failed step off: the failed step is READY again. Retrying runs it (and what follows) in one command;
a failure again keeps the incident open with the new error and counts the attempt. Correcting the
data changes what the next steps read (the data of the READY and WAITING tasks) and is audited as
`data_corrected` with the before and after of each changed field.
"""
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ...engine import runner
from ...engine.serializer import dump_workflow
from ...extensions import db
from ...models import Incident, ProcessInstance
from ...models.states import IncidentStatus, InstanceStatus, transition
from ..audit import trail as audit
from ..command import command
from ..errors import Conflict, NotFound, ServiceError, ValidationFailed
from ..workflow import definitions, timer_firing
from ..workflow.engine_calls import audited_handlers, run_engine
from ..workflow.loading import case_for_update, lock_case
from ..workflow.steps import apply_step
from .early_end import MAX_REASON
from .guard import require_admin

MAX_DATA_BYTES = 256 * 1024
EDITABLE = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED)


@dataclass
class IncidentList:
    steps: list         # open step incidents
    timers: list        # timer jobs parked as incidents


@dataclass
class IncidentDetail:
    incident: Incident
    data: dict          # the case data as the failed step reads it
    waiting_to_run: list


def list_incidents(actor):
    require_admin(actor)
    steps = db.session.execute(select(Incident).where(Incident.status == IncidentStatus.OPEN)
                               .order_by(Incident.created_at, Incident.id)).scalars().all()
    return IncidentList(steps, timer_firing.incidents(actor))


def _incident(incident_id):
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(_("No such incident."))
    return incident


def incident_detail(actor, incident_id):
    require_admin(actor)
    incident = _incident(incident_id)
    instance = incident.instance
    workflow = runner.open_workflow(instance.state, definitions.compiled_by_id(instance.definition_id))
    return IncidentDetail(incident, runner.current_data(workflow), runner.engine_steps_ready(workflow))


def case_data(actor, instance_id):
    """(case, its data as the next steps read it) for the data editor."""
    require_admin(actor)
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(_("Case %(id)s does not exist.", id=instance_id))
    workflow = runner.open_workflow(instance.state, definitions.compiled_by_id(instance.definition_id))
    return instance, runner.current_data(workflow)


def parse_data(text):
    """The editor's JSON: an object, not too large, without the key SpiffWorkflow's serializer
    reserves (`typename`); refused naming the field `data`."""
    if len(str(text or "").encode("utf-8")) > MAX_DATA_BYTES:
        raise ValidationFailed(_("The data is too large."), {"data": [_("The data is too large.")]})
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError as exc:
        raise ValidationFailed(_("The data is not valid JSON."), {"data": [
            _("Not valid JSON: %(error)s", error=str(exc))]}) from None
    if not isinstance(value, dict):
        raise ValidationFailed(_("The data must be a JSON object."), {"data": [_("Write a JSON object { … }.")]})
    if _has_reserved_key(value):
        raise ValidationFailed(_("The data may not use the key 'typename'."), {"data": [
            _("The data may not use the key 'typename'.")]})
    return value


def _has_reserved_key(value):
    if isinstance(value, dict):
        return "typename" in value or any(_has_reserved_key(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_reserved_key(v) for v in value)
    return False


@dataclass
class Correction:
    instance: ProcessInstance
    before: dict        # the changed and removed fields as they were (None: the field was new)
    after: dict         # the changed fields as they are now
    removed: list       # the fields dropped


def correct_data(actor, instance_id, text, reason):
    """Replace the case data with the edited object (the editor's JSON text); only the fields that
    differ are changed. The reason is required and kept in the audit event, as in the API's PATCH."""
    require_admin(actor)
    edited = parse_data(text)

    def changes(current):
        changed = {k: v for k, v in edited.items() if k not in current or current[k] != v}
        return changed, sorted(k for k in current if k not in edited), "data"
    return _correct(actor, instance_id, changes, _reason(reason))


def patch_data(actor, instance_id, modifications, deletions, reason):
    """Set the fields in `modifications` and drop those named in `deletions` (the JSON API's PATCH,
    as Camunda's process variable modification); the reason is required and kept in the audit event.
    A deletion of a field the case data lacks, or of one also being set, is refused naming it."""
    require_admin(actor)
    reason = _reason(reason)
    modifications = _checked_object(modifications, "modifications")
    deletions, errors = list(deletions or ()), {}
    for i, name in enumerate(deletions):
        if not isinstance(name, str) or not name:
            errors[f"deletions.{i}"] = [_("A field name is required.")]
        elif name in modifications:
            errors[f"deletions.{i}"] = [_("%(name)s is also being set.", name=name)]
    if errors:
        raise ValidationFailed(_("The case data was not corrected."), errors)

    def changes(current):
        unknown = {f"deletions.{i}": [_("The case data has no field %(name)s.", name=name)]
                   for i, name in enumerate(deletions) if name not in current}
        if unknown:
            raise ValidationFailed(_("The case data was not corrected."), unknown)
        changed = {k: v for k, v in modifications.items() if k not in current or current[k] != v}
        return changed, sorted(set(deletions)), "modifications"
    return _correct(actor, instance_id, changes, reason)


def _reason(reason):
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the case data is corrected."), {"reason": [_("A reason is required.")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("The reason is too long."), {"reason": [_("At most %(n)d characters.", n=MAX_REASON)]})
    return reason


def _checked_object(value, name):
    """`value` checked as parse_data checks the editor's text, the errors named after the body's field
    (`modifications`, or `modifications.<key>` for a field holding the reserved key)."""
    if isinstance(value, dict):
        reserved = {f"{name}.{k}": [_("The data may not use the key 'typename'.")]
                    for k, v in value.items() if k == "typename" or _has_reserved_key(v)}
        if reserved:
            raise ValidationFailed(_("The data may not use the key 'typename'."), reserved)
    try:
        return parse_data(json.dumps(value, ensure_ascii=False))
    except ValidationFailed as exc:
        raise ValidationFailed(_("The case data was not corrected."), {name: exc.errors["data"]}) from None


def _correct(actor, instance_id, changes, reason):
    """One command: `changes(current data)` says (changed fields, removed fields, the field to name
    when nothing changes); the data of the tasks that run next is changed, audited as `data_corrected`."""
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if instance.status not in EDITABLE:
            raise Conflict(_("The case has ended (%(status)s).", status=instance.status))
        compiled = definitions.compiled_by_id(instance.definition_id)
        workflow = runner.open_workflow(instance.state, compiled)
        current = runner.current_data(workflow)
        changed, removed, field_name = changes(current)
        if not changed and not removed:
            raise ValidationFailed(_("Nothing was changed."), {field_name: [_("Nothing was changed.")]})
        runner.correct_data(workflow, changed, removed)
        instance.state = dump_workflow(workflow)
        before = {k: current.get(k) for k in [*changed, *removed]}
        audit.record(ctx, "data_corrected", actor=actor, instance_id=instance.id, data={
            "before": before, "after": changed, "removed": removed, "reason": reason})
    return Correction(instance, before, changed, removed)


def retry(actor, incident_id):
    """Run the failed step again. Returns the incident (resolved, or open with the new error)."""
    require_admin(actor)
    try:
        with command(actor) as ctx:
            incident, instance = _locked_open(incident_id)
            compiled = definitions.compiled_by_id(instance.definition_id)
            workflow = runner.open_workflow(instance.state, compiled, audited_handlers(ctx, instance, actor))
            before = len(runner.snapshot_path(workflow))
            run_engine(lambda: runner.advance(workflow))
            transition(incident, IncidentStatus, IncidentStatus.RESOLVED)
            incident.resolved_at = ctx.now
            audit.record(ctx, "incident_retried", actor=actor, instance_id=instance.id,
                         element_id=incident.element_id, element_name=incident.element_name, data={
                             "incident": incident.id, "resolved": True, "path": runner.snapshot_path(workflow)[before:],
                             "waiting": runner.waiting_elements(workflow)})
            apply_step(ctx, instance, compiled, workflow)
        return incident
    except (Conflict, NotFound):
        raise
    except ServiceError as exc:         # it failed again: nothing of the attempt is kept but the error
        with command(actor) as ctx:
            incident, instance = _locked_open(incident_id)
            incident.attempts += 1
            incident.error = exc.message[:4000]
            audit.record(ctx, "incident_retried", actor=actor, instance_id=instance.id,
                         element_id=incident.element_id, element_name=incident.element_name,
                         data={"incident": incident.id, "resolved": False, "error": incident.error})
        return incident


def _locked_open(incident_id):
    """The open incident and its case, the case's row locked (every writer of the incident holds it)."""
    incident = _incident(incident_id)
    instance = lock_case(incident.instance_id)
    db.session.refresh(incident)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict(_("This incident was already resolved."))
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(_("Only a running case's step can be retried; this one is %(status)s.", status=instance.status))
    return incident, instance
