"""Schemas of the administrators' operations on running cases (docs/operations-on-cases.md)."""
from marshmallow import Schema, fields, validate

from .schemas import InstanceSchema


class SuspendRequestSchema(Schema):
    reason = fields.Str(load_default="", validate=validate.Length(max=500),
                        metadata={"description": "why the case is suspended (kept in its audit trail)"})


class TerminateRequestSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500),
                        metadata={"description": "why the case is terminated (shown on the case page)"})


class CancelRequestSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500),
                        metadata={"description": "why the applicant withdraws the case (shown on the case page and "
                                                 "to the holders of its open tasks)"})


class MigrationRequestSchema(Schema):
    processKey = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    toVersion = fields.Int(required=True, validate=validate.Range(min=1, max=10 ** 9))
    fromVersion = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10 ** 9),
                             metadata={"description": "only the cases on this version (default: any other)"})
    status = fields.Str(load_default="", validate=validate.OneOf(["", "running", "suspended"]))
    instanceId = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2 ** 31 - 1),
                            metadata={"description": "only this case"})
    mapping = fields.Dict(keys=fields.Str(validate=validate.Length(min=1, max=100)),
                          values=fields.Str(validate=validate.Length(min=1, max=100)), load_default=dict,
                          metadata={"description": "changed element ids: old id -> new id"})


class AssessedCaseSchema(Schema):
    instance = fields.Nested(InstanceSchema)
    fromVersion = fields.Int(attribute="from_version")
    at = fields.List(fields.Str(), metadata={"description": "the elements the case is at now"})
    movable = fields.Bool()
    reasons = fields.List(fields.Str(), metadata={"description": "why it cannot move (empty: it can)"})


class DryRunSchema(Schema):
    processKey = fields.Str(attribute="process_key")
    toVersion = fields.Function(lambda r: r.target.version)
    mapping = fields.Dict()
    cases = fields.List(fields.Nested(AssessedCaseSchema))


class MigrationItemSchema(Schema):
    instanceId = fields.Int(attribute="instance_id")
    fromVersion = fields.Int(attribute="from_version")
    status = fields.Str(metadata={"description": "pending, migrated or failed"})
    reason = fields.Str()
    doneAt = fields.DateTime(attribute="done_at", allow_none=True)


class MigrationBatchSchema(Schema):
    id = fields.Function(lambda p: p.batch.id)
    processKey = fields.Function(lambda p: p.batch.process_key)
    toVersion = fields.Function(lambda p: p.batch.to_version)
    mapping = fields.Function(lambda p: p.batch.mapping or {})
    total = fields.Int()
    pending = fields.Int()
    counts = fields.Dict(keys=fields.Str(), values=fields.Int())
    finishedAt = fields.Function(lambda p: p.batch.finished_at.isoformat() if p.batch.finished_at else None)
    items = fields.List(fields.Nested(MigrationItemSchema))


class RunBatchRequestSchema(Schema):
    limit = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10000),
                       metadata={"description": "migrate at most this many pending cases now (default: all)"})
