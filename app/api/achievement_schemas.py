"""Schemas of the achievement library's API: the catalogue, an achievement, and the two requests."""
from marshmallow import Schema, fields, validate

from ..domain.chains import CHAINS
from ..models.states import AchievementKind, AchievementStatus, ShareCondition, ShareLevel
from ..services.registries.achievements.queries import SORTS
from .schemas import PageQuerySchema


def _one_of(values):
    return {"validate": validate.OneOf(list(values)), "metadata": {"description": " | ".join(values)}}


class AchievementQuerySchema(PageQuerySchema):
    kind = fields.Str(load_default="", **_one_of(("", *AchievementKind.ALL)))
    chain = fields.Str(load_default="", **_one_of(("", *CHAINS)))
    share_level = fields.Str(load_default="", **_one_of(("", *ShareLevel.ALL)))
    status = fields.Str(load_default="", **_one_of(("", *AchievementStatus.ALL)))
    q = fields.Str(load_default="", validate=validate.Length(max=100),
                   metadata={"description": "words of the name, and of the summary where I may read it"})
    sort = fields.Str(load_default="-published", validate=validate.OneOf([*SORTS, *(f"-{key}" for key in SORTS)]),
                      metadata={"description": "a column, `-` first for descending: " + ", ".join(SORTS)})


class AchievementCardSchema(Schema):
    """What the catalogue shows of every achievement listed for me."""
    id = fields.Int()
    number = fields.Str()
    name = fields.Str()
    kind = fields.Str(metadata={"description": " | ".join(AchievementKind.ALL)})
    chain = fields.Str()
    contributor_name = fields.Str()
    share_level = fields.Str(metadata={"description": " | ".join(ShareLevel.ALL)})
    share_conditions = fields.Str(metadata={"description": " | ".join(ShareCondition.ALL)})
    status = fields.Str(metadata={"description": " | ".join(AchievementStatus.ALL)})
    published_at = fields.DateTime(allow_none=True)
    readable = fields.Bool(metadata={"description": "false: only this card is mine to see; ask the contributor "
                                                    "(directed) or apply for a licence (paid)"})


class ProofSchema(Schema):
    filename = fields.Str()
    size = fields.Int()
    url = fields.Str(metadata={"description": "download address (the same access rule applies)"})


class AchievementSchema(AchievementCardSchema):
    """An achievement (App. G); the fields after the card's only when `readable`."""
    summary = fields.Str()
    problem_number = fields.Str(allow_none=True)
    project_number = fields.Str(allow_none=True)
    technical_indicators = fields.Str()
    application_scenarios = fields.Str()
    ip_type = fields.Str()
    right_status = fields.Str()
    certificate_number = fields.Str()
    right_owner = fields.Str()
    right_expires_on = fields.Date(allow_none=True)
    conditions_text = fields.Str()
    contact_name = fields.Str()
    contact_phone = fields.Str()
    proofs = fields.List(fields.Nested(ProofSchema))


class AchievementPageSchema(Schema):
    items = fields.List(fields.Nested(AchievementCardSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()


class AppliedSchema(Schema):
    task_id = fields.Int(metadata={"description": "my step 填写成果入库申请表 in the new admission case"})


class DelistingSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
