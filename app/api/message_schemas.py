"""Schemas of the message and signal API (docs/messages.md)."""
from marshmallow import Schema, fields, validate

NAME = validate.Length(min=1, max=200)


class MessageRequestSchema(Schema):
    messageName = fields.Str(required=True, validate=NAME, metadata={"description": "the BPMN message's name"})
    businessKey = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64),
                             metadata={"description": "the receiving case's business key (a new case's, for a "
                                                      "message start event)"})
    correlationKeys = fields.Dict(keys=fields.Str(), load_default=dict, metadata={
        "description": "case variables the receiving case must hold, each equal to the value given"})
    processVariables = fields.Dict(keys=fields.Str(), load_default=dict, metadata={
        "description": "merged into the data of the step that catches the message"})
    all = fields.Bool(load_default=False, metadata={"description": "deliver to every receiver (else exactly one)"})


class SignalRequestSchema(Schema):
    signalName = fields.Str(required=True, validate=NAME)
    processVariables = fields.Dict(keys=fields.Str(), load_default=dict)


class ReachedCaseSchema(Schema):
    id = fields.Int()
    businessKey = fields.Str(attribute="business_key")
    processKey = fields.Str(attribute="process_key")
    status = fields.Str()


class DeliveryResultSchema(Schema):
    delivered = fields.List(fields.Nested(ReachedCaseSchema), metadata={
        "description": "the cases the message or signal reached, or that it started"})


class PendingMessageSchema(Schema):
    id = fields.Int()
    messageName = fields.Str(attribute="name")
    businessKey = fields.Str(attribute="business_key", allow_none=True)
    processVariables = fields.Dict(attribute="variables", allow_none=True)
    sourceInstanceId = fields.Int(attribute="source_instance_id", allow_none=True)
    sourceElementId = fields.Str(attribute="source_element_id")
    createdAt = fields.DateTime(attribute="created_at")


class PendingDeliverySchema(Schema):
    delivered = fields.List(fields.Nested(PendingMessageSchema))
