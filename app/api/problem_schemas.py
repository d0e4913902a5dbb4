"""Schemas of the problem library's API (read-only)."""
from marshmallow import Schema, fields, validate

from ..domain.chains import CHAINS, SEGMENTS
from ..domain.severity import GRADES
from ..models.states import ProblemCategory, ProblemStatus
from ..services.registries.problems.queries import SORTS
from .schemas import PageQuerySchema


def _one_of(values):
    return {"validate": validate.OneOf(list(values)), "metadata": {"description": " | ".join(values)}}


class ProblemQuerySchema(PageQuerySchema):
    chain = fields.Str(load_default="", **_one_of(("", *CHAINS)))
    segment = fields.Str(load_default="", **_one_of(("", *SEGMENTS)))
    category = fields.Str(load_default="", **_one_of(("", *ProblemCategory.ALL)))
    grade = fields.Str(load_default="", **_one_of(("", *GRADES)))
    status = fields.Str(load_default="", **_one_of(("", *ProblemStatus.ALL)))
    unit = fields.Str(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "part of the reporter unit's name"})
    date_from = fields.Date(load_default=None, data_key="from", metadata={"description": "report date, inclusive"})
    date_to = fields.Date(load_default=None, data_key="to")
    sort = fields.Str(load_default="-report_date",
                      validate=validate.OneOf([*SORTS, *(f"-{key}" for key in SORTS)]),
                      metadata={"description": "a column, `-` first for descending: " + ", ".join(SORTS)})


class ProblemSchema(Schema):
    id = fields.Int()
    number = fields.Str(metadata={"description": "GZ-<chain>-<year>-<seq>"})
    title = fields.Str()
    consortium_id = fields.Int()
    chain = fields.Str()
    industry = fields.Str()
    segment = fields.Str()
    link = fields.Str()
    node = fields.Str()
    products = fields.Str()
    reporter_name = fields.Str()
    reporter_unit_name = fields.Str()
    report_date = fields.Date()
    category = fields.Str()
    impact_score = fields.Decimal(as_string=True, allow_none=True)
    diffusion_score = fields.Decimal(as_string=True, allow_none=True)
    urgency_score = fields.Decimal(as_string=True, allow_none=True)
    total_score = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "exact, as a string"})
    grade = fields.Str(allow_none=True)
    status = fields.Str()
    merged_into_id = fields.Int(allow_none=True)
    instance_id = fields.Int(allow_none=True, metadata={"description": "the report case"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProblemPageSchema(Schema):
    items = fields.List(fields.Nested(ProblemSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()


class StatusChangeSchema(Schema):
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str()
    actor = fields.Str(attribute="actor_name")
    at = fields.DateTime()
    instance_id = fields.Int(allow_none=True)
    reason = fields.Str()


class LinkedProblemSchema(Schema):
    id = fields.Int()
    number = fields.Str()
    title = fields.Str()
    status = fields.Str()


class AttachmentSchema(Schema):
    filename = fields.Str()
    size = fields.Int()
    content_type = fields.Str()
    url = fields.Function(lambda a: f"/attachments/{a.token}", metadata={"description": "download (same rights)"})


class ProblemDetailSchema(ProblemSchema):
    description = fields.Str()
    defect_rate = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "percent"})
    failure_rate = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "percent"})
    complaints = fields.Int(allow_none=True)
    gap_value = fields.Decimal(as_string=True, allow_none=True)
    gap_unit = fields.Str()
    gap_text = fields.Str()
    impact_scope = fields.Str()
    impact_degree = fields.Str()
    technical_roots = fields.List(fields.Str())
    technical_root_text = fields.Str()
    management_roots = fields.List(fields.Str())
    management_root_text = fields.Str()
    is_generic = fields.Bool()
    suggestion = fields.Str()
    history = fields.List(fields.Nested(StatusChangeSchema))
    linked = fields.List(fields.Nested(LinkedProblemSchema))
    merged_from = fields.List(fields.Nested(LinkedProblemSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))
