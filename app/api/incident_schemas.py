"""Schemas of the incidents and the case data correction in the JSON API (administrators;
docs/operations-on-cases.md), and the `incident` path converter: `step-12` or `timer-7`."""
from marshmallow import Schema, fields, validate
from werkzeug.routing import BaseConverter

from ..services.operations.incident_refs import KINDS, REF_PATTERN, STATUSES
from .schemas import InstanceSchema, PageQuerySchema

REF_DESCRIPTION = ("the incident: `step-<id>` for a step that failed after a decision, `timer-<id>` for a "
                   "timer job parked after every retry")


class IncidentRefConverter(BaseConverter):
    """`<incident:incident_id>`: anything but a reference matches no route (404)."""
    regex = REF_PATTERN


def incident_ref_parameter(_converter):
    """The converter's parameter schema in the OpenAPI document (flask-smorest's register_converter)."""
    return {"type": "string", "pattern": f"^{REF_PATTERN}$", "description": REF_DESCRIPTION}


class IncidentQuerySchema(PageQuerySchema):
    status = fields.Str(load_default="", validate=validate.OneOf(["", *STATUSES]),
                        metadata={"description": "open | resolved (a timer incident is open until retried)"})
    kind = fields.Str(load_default="", validate=validate.OneOf(["", *KINDS]), metadata={"description": "step | timer"})
    processKey = fields.Str(load_default="", validate=validate.Length(max=100))
    instanceId = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2 ** 31 - 1),
                            metadata={"description": "only this case's incidents"})


class IncidentSchema(Schema):
    id = fields.Str(attribute="ref", metadata={"description": REF_DESCRIPTION})
    kind = fields.Str(metadata={"description": "step | timer"})
    status = fields.Str(metadata={"description": "open; resolved (a step that ran through on a retry, or whose "
                                                 "case was terminated); retried (a retry's answer for a timer: its "
                                                 "job is due again now, and is no incident unless it fails again)"})
    instanceId = fields.Int(attribute="instance_id", allow_none=True,
                            metadata={"description": "null: a timer start event's job (no case yet)"})
    processKey = fields.Str(attribute="process_key")
    elementId = fields.Str(attribute="element_id")
    elementName = fields.Str(attribute="element_name")
    error = fields.Str()
    attempts = fields.Int(metadata={"description": "failed runs (a step: each retry that failed again counts)"})
    createdAt = fields.DateTime(attribute="created_at", metadata={
        "description": "a step: when it failed; a timer: when its last attempt was due"})
    resolvedAt = fields.DateTime(attribute="resolved_at", allow_none=True)
    taskId = fields.Int(attribute="task_id", allow_none=True, metadata={
        "description": "a step: the task whose decision set it off; a deadline timer: the task it watches"})
    jobKind = fields.Str(attribute="job_kind", allow_none=True, metadata={
        "description": "a timer: bpmn_timer, task_due, start_timer, or a registry's own job"})
    instance = fields.Nested(InstanceSchema, allow_none=True)


class IncidentDetailSchema(IncidentSchema):
    data = fields.Dict(allow_none=True, metadata={
        "description": "the case data as the next steps read it (null: no case); correct it with "
                       "PATCH /instances/{instance_id}/data"})
    waitingToRun = fields.List(fields.Str(), attribute="waiting_to_run", metadata={
        "description": "a step incident: the automatic steps a retry runs first"})


class IncidentPageSchema(Schema):
    items = fields.List(fields.Nested(IncidentSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()


FIELD_NAME = validate.Length(min=1, max=200)


class DataCorrectionRequestSchema(Schema):
    modifications = fields.Dict(keys=fields.Str(validate=FIELD_NAME), load_default=dict, metadata={
        "description": "fields to set: name (1 to 200 characters) -> any JSON value (not using the key `typename`)"})
    deletions = fields.List(fields.Str(validate=FIELD_NAME), load_default=list, validate=validate.Length(max=1000),
                            metadata={"description": "fields to remove (each must be in the case data)"})
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500),
                        metadata={"description": "why the data is corrected (kept in the audit event)"})


class DataCorrectionSchema(Schema):
    instance = fields.Nested(InstanceSchema)
    before = fields.Dict(metadata={"description": "each changed or removed field as it was (null: it was new)"})
    after = fields.Dict(metadata={"description": "each changed field as it is now"})
    removed = fields.List(fields.Str())
