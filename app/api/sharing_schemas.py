"""Schemas of the directed sharing API (standard 5.6.2): a request in, the requests out."""
from marshmallow import Schema, fields, validate

from ..models.states import GrantStatus
from ..services.registries.achievements.sharing import MAX_DAYS, MAX_PURPOSE, MIN_DAYS

# at least one character that is not white space, both to Python (str.strip, which the service uses)
# and to the JSON Schema (ECMA) regular expressions clients validate with; marshmallow matches from
# the start, JSON Schema anywhere: the leading [\s\S]* makes both mean the same
NOT_BLANK = r"[\s\S]*[^\s\x1c-\x1f\x85\ufeff]"


class SharingRequestInSchema(Schema):
    purpose = fields.Str(required=True, validate=[validate.Length(min=1, max=MAX_PURPOSE), validate.Regexp(NOT_BLANK)],
                         metadata={"description": "what the requester needs the achievement for (not blank)"})
    days = fields.Int(required=True, strict=True, validate=validate.Range(min=MIN_DAYS, max=MAX_DAYS),
                      metadata={"description": "for how many days, counted from the contributor's consent"})


class SharingQuerySchema(Schema):
    role = fields.Str(load_default="requester", validate=validate.OneOf(["requester", "contributor"]),
                      metadata={"description": "`requester`: the requests I made; `contributor`: those made for "
                                               "my unit's achievements"})


class SharedAchievementSchema(Schema):
    """The achievement a sharing request names."""
    id = fields.Int()
    number = fields.Str()
    name = fields.Str()
    contributor_name = fields.Str()


class SharingRequestSchema(Schema):
    id = fields.Int(attribute="grant.id")
    achievement = fields.Nested(SharedAchievementSchema)
    requester = fields.Str(attribute="requester.username")
    requester_name = fields.Str(attribute="requester.display_name")
    purpose = fields.Str(attribute="grant.purpose")
    status = fields.Str(attribute="grant.status", metadata={"description": " | ".join(GrantStatus.ALL)})
    requested_at = fields.DateTime(attribute="grant.requested_at")
    decided_at = fields.DateTime(attribute="grant.decided_at", allow_none=True)
    decision_note = fields.Str(attribute="grant.decision_note", metadata={
        "description": "the contributor's opinion; `timeout` when nobody answered in time"})
    valid_from = fields.DateTime(attribute="grant.valid_from", allow_none=True)
    valid_until = fields.DateTime(attribute="grant.valid_until", allow_none=True)
    in_force = fields.Bool(metadata={"description": "granted and now within the period: the requester reads it"})
    days_left = fields.Int(metadata={"description": "whole days of the period left (rounded up), 0 when not in force"})
    instance_id = fields.Int(attribute="grant.instance_id", allow_none=True,
                             metadata={"description": "the sharing request case"})
    consent_task_id = fields.Int(allow_none=True, metadata={
        "description": "(role=contributor) the contributor's open step answering it"})


class SharingRequestRefSchema(Schema):
    id = fields.Int()
    achievement_id = fields.Int()
    status = fields.Str(metadata={"description": " | ".join(GrantStatus.ALL)})
    purpose = fields.Str()
    requested_at = fields.DateTime()
    instance_id = fields.Int(allow_none=True, metadata={"description": "the sharing request case"})
