"""Marshmallow schemas of the JSON API."""
from flask_smorest.error_handler import ErrorSchema  # noqa: F401  (the one error shape)
from marshmallow import Schema, fields, validate

from ..services.notify.notifications import text_of


class DefinitionSchema(Schema):
    id = fields.Int()
    key = fields.Str()
    version = fields.Int()
    name = fields.Str()
    content_hash = fields.Str()
    filename = fields.Str()
    deployed_at = fields.DateTime()
    forms = fields.List(fields.Str(), attribute="form_keys")
    change_note = fields.Str(allow_none=True, metadata={"description": "what the administrator said changed"})
    start_enabled = fields.Bool(metadata={"description": "false while administrators have stopped new cases "
                                                         "of this process (starting it answers 409)"})


class DefinitionQuerySchema(Schema):
    all_versions = fields.Bool(load_default=False, metadata={"description": "every version, not only the newest"})


class DeployResultSchema(Schema):
    definition = fields.Nested(DefinitionSchema)
    created = fields.Bool(metadata={"description": "false when the newest version already has this content"})
    warnings = fields.List(fields.Str(), metadata={
        "description": "what the diagram waits for that nothing sends (messages no deployed process throws and "
                       "its apiMessages property does not declare); the deploy went through"})


class DecisionDefinitionSchema(Schema):
    id = fields.Int()
    key = fields.Str(metadata={"description": "the DMN file's `definitions` id"})
    version = fields.Int()
    name = fields.Str()
    content_hash = fields.Str()
    filename = fields.Str()
    deployed_at = fields.DateTime()
    decisions = fields.List(fields.Str(), attribute="decision_ids", metadata={"description": "decision ids"})


class ProcessVersionSchema(Schema):
    key = fields.Str()
    version = fields.Int()


class DecisionDeployResultSchema(Schema):
    decision = fields.Nested(DecisionDefinitionSchema)
    created = fields.Bool(metadata={"description": "false when the newest version already has this content"})
    redeployed = fields.List(fields.Nested(ProcessVersionSchema), metadata={
        "description": "processes that evaluate these rules, deployed as a new version pinned to them"})


class PageQuerySchema(Schema):
    # marshmallow 4 ignores a validator's False return: validators must raise, as Range does
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class TaskQuerySchema(PageQuerySchema):
    process = fields.Str(load_default="")
    district = fields.Str(load_default="")
    date_from = fields.Date(load_default=None, data_key="from")
    date_to = fields.Date(load_default=None, data_key="to")
    scope = fields.Str(load_default="all", validate=validate.OneOf(["all", "mine", "group"]),
                       metadata={"description": "all | mine | group"})
    sort = fields.Str(load_default="newest", validate=validate.OneOf(["newest", "urgency"]),
                      metadata={"description": "newest, or urgency (due soonest first)"})


class InstanceQuerySchema(PageQuerySchema):
    status = fields.Str(load_default="")
    process = fields.Str(load_default="")
    mine = fields.Bool(load_default=False)


class TaskSchema(Schema):
    id = fields.Int()
    instance_id = fields.Int()
    business_key = fields.Str()
    element_id = fields.Str()
    name = fields.Str()
    status = fields.Str()
    process_key = fields.Str()
    process_name = fields.Str()
    instance_title = fields.Str()
    district = fields.Str(allow_none=True)
    candidate_groups = fields.Function(lambda t: [g for g in t.candidate_groups.split(",") if g])
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    decision = fields.Str()
    opinion = fields.Str()
    form_key = fields.Str()
    version = fields.Int(metadata={"description": "send back as `version` to detect concurrent changes (409)"})


class TaskDetailSchema(TaskSchema):
    form = fields.Dict(metadata={"description": "JSON Schema of the task's form"})
    draft = fields.Dict(allow_none=True, metadata={"description": "unsubmitted form data: shown to the task's "
                                                                  "assignee only (null for everyone else)"})


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()


class VersionSchema(Schema):
    version = fields.Int(load_default=None, metadata={"description": "the task version you loaded"})


class CompleteSchema(VersionSchema):
    data = fields.Dict(required=True, metadata={"description": "form data, as the task's JSON Schema describes"})


class StartSchema(Schema):
    process_key = fields.Str(required=True)


class InstanceSchema(Schema):
    id = fields.Int()
    business_key = fields.Str()
    process_key = fields.Str()
    definition_version = fields.Function(lambda i: i.definition.version)
    title = fields.Str()
    status = fields.Str()
    outcome = fields.Str(metadata={"description": "the end event's id of a completed case; cancelled_by_initiator "
                                                  "when its initiator withdrew it (status terminated)"})
    district = fields.Str(allow_none=True)
    current_steps = fields.Str()
    started_by = fields.Function(lambda i: i.started_by.username if i.started_by else None)   # None: a timer
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    end_reason = fields.Str(metadata={"description": "why it ended early: an administrator terminated it, or its "
                                                     "initiator cancelled it (outcome cancelled_by_initiator)"})


class InstancePageSchema(Schema):
    items = fields.List(fields.Nested(InstanceSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()


class EventSchema(Schema):
    seq = fields.Int()
    at = fields.DateTime()
    actor = fields.Str(attribute="actor_name")
    type = fields.Str()
    element_id = fields.Str()
    element_name = fields.Str()
    data = fields.Dict()
    hash = fields.Str()


class InstanceDetailSchema(InstanceSchema):
    tasks = fields.List(fields.Nested(TaskSchema))
    events = fields.List(fields.Nested(EventSchema))
    completed_elements = fields.List(fields.Str())
    active_elements = fields.List(fields.Str())
    audit_chain_ok = fields.Bool()


class PersonSchema(Schema):
    user = fields.Str(required=True, metadata={"description": "user name"})
    note = fields.Str(load_default="")


class OpinionSchema(Schema):
    opinion = fields.Str(load_default="")


class SignerSchema(Schema):
    user = fields.Str(required=True)
    position = fields.Str(load_default="after", validate=validate.OneOf(["before", "after"]))
    reason = fields.Str(load_default="", metadata={"description": "why the signers change (required)"})


class SignerRemovalSchema(Schema):
    reason = fields.Str(load_default="", metadata={"description": "why the signer is removed (required)"})


class NoteSchema(Schema):
    note = fields.Str(load_default="")


class CopySchema(Schema):
    users = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
    note = fields.Str(load_default="")


class CountSchema(Schema):
    count = fields.Int()


class NotificationSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    message = fields.Function(lambda n: _notification_text(n), metadata={"description": "in the caller's language"})
    instance_id = fields.Int(allow_none=True)
    task_id = fields.Int(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class ReturnToSchema(Schema):
    step = fields.Str(required=True, metadata={"description": "element id of an earlier user step"})
    opinion = fields.Str(required=True, validate=validate.Length(min=1))


def _notification_text(notification):
    return text_of(notification)
