"""Schemas of the project library's API: its reads, and the lead unit's two requests."""
from marshmallow import Schema, fields, validate

from ..domain.chains import CHAINS
from ..models.states import ProjectDirection, ProjectStatus, RiskSeverity
from ..services.registries.projects.queries import RISKS, SORTS
from .schemas import PageQuerySchema


def _one_of(values):
    return {"validate": validate.OneOf(list(values)), "metadata": {"description": " | ".join(values)}}


class ProjectQuerySchema(PageQuerySchema):
    chain = fields.Str(load_default="", **_one_of(("", *CHAINS)))
    direction = fields.Str(load_default="", **_one_of(("", *ProjectDirection.ALL)))
    status = fields.Str(load_default="", **_one_of(("", *ProjectStatus.ALL)))
    risk = fields.Str(load_default="", validate=validate.OneOf(["", *RISKS]),
                      metadata={"description": "the highest open alert's severity, `none` for no open alert"})
    unit = fields.Str(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "part of the lead unit's name"})
    sort = fields.Str(load_default="-created", validate=validate.OneOf([*SORTS, *(f"-{key}" for key in SORTS)]),
                      metadata={"description": "a column, `-` first for descending: " + ", ".join(SORTS)})


class DiffQuerySchema(Schema):
    from_version = fields.Int(required=True, data_key="from", validate=validate.Range(min=1, max=10_000),
                              metadata={"description": "the older task book version"})
    to_version = fields.Int(required=True, data_key="to", validate=validate.Range(min=1, max=10_000),
                            metadata={"description": "the newer task book version"})


class RiskQuerySchema(Schema):
    chain = fields.Str(load_default="", **_one_of(("", *CHAINS)))


class ProblemRefSchema(Schema):
    id = fields.Int()
    number = fields.Str()
    title = fields.Str()


class ProjectRefSchema(Schema):
    id = fields.Int()
    number = fields.Str()
    name = fields.Str()
    chain = fields.Str()


class ProjectSchema(ProjectRefSchema):
    consortium_id = fields.Int()
    direction = fields.Str(metadata={"description": " | ".join(ProjectDirection.ALL)})
    lead_unit_name = fields.Str()
    participating_units = fields.List(fields.Str())
    expected_results = fields.Str()
    status = fields.Str(metadata={"description": " | ".join(ProjectStatus.ALL)})
    risk_level = fields.Str(metadata={"description": "the highest open alert's severity, empty when none"})
    task_book_version = fields.Int(metadata={"description": "the version in force, 0 before one is frozen"})
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    instance_id = fields.Int(allow_none=True, metadata={"description": "the lifecycle case"})
    problems = fields.List(fields.Nested(ProblemRefSchema), attribute="shown_problems",
                           metadata={"description": "the problems it addresses (those I may see)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProjectPageSchema(Schema):
    items = fields.List(fields.Nested(ProjectSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()


class TargetSchema(Schema):
    key = fields.Str()
    kind = fields.Str(metadata={"description": "technical | quality | application"})
    name = fields.Str()
    unit = fields.Str()
    baseline = fields.Str()
    target = fields.Str()
    product = fields.Str()


class TaskBookContentSchema(Schema):
    """The task book document (App. F; app/domain/task_book.py): numbers as decimal strings."""
    name = fields.Str()
    leader = fields.Str()
    period_start = fields.Str()
    period_end = fields.Str()
    research_content = fields.Str()
    technical_route = fields.Str()
    targets = fields.List(fields.Nested(TargetSchema))
    organisation = fields.List(fields.Dict(keys=fields.Str(), values=fields.Str()))
    milestones = fields.List(fields.Dict(keys=fields.Str(), values=fields.Str()))
    budget = fields.List(fields.Dict(keys=fields.Str(), values=fields.Str()))


class ChangeRefSchema(Schema):
    id = fields.Int()
    seq = fields.Int()
    kinds = fields.List(fields.Str())
    reason = fields.Str()
    status = fields.Str()
    instance_id = fields.Int(allow_none=True)


class TaskBookSchema(Schema):
    version = fields.Int()
    frozen_at = fields.DateTime()
    content = fields.Nested(TaskBookContentSchema)


class TaskBookVersionSchema(TaskBookSchema):
    change_request = fields.Nested(ChangeRefSchema, allow_none=True,
                                   metadata={"description": "the approved change that produced it; null for v1"})
    signatures = fields.List(fields.Dict())


class ProjectDetailSchema(ProjectSchema):
    task_book = fields.Nested(TaskBookSchema, allow_none=True, metadata={"description": "the version in force"})


class ChangeSchema(Schema):
    path = fields.Str(metadata={"description": "a field (`leader`) or a table row (`milestones.M2`, `budget.2`)"})
    kind = fields.Str(metadata={"description": "added | removed | changed"})
    before = fields.Raw(allow_none=True, metadata={"description": "a field's text or a row's object"})
    after = fields.Raw(allow_none=True)


class DiffSchema(Schema):
    from_version = fields.Int(data_key="from")
    to_version = fields.Int(data_key="to")
    changes = fields.List(fields.Nested(ChangeSchema))


class ReportSchema(Schema):
    id = fields.Int()
    period = fields.Str(metadata={"description": "2027Q1"})
    period_end = fields.Date()
    task_book_version = fields.Int()
    summary = fields.Str()
    milestones = fields.List(fields.Dict(), metadata={"description": "[{key, done, note}]"})
    targets = fields.List(fields.Dict(), metadata={"description": "[{key, value}]"})
    instance_id = fields.Int(allow_none=True)
    submitted_at = fields.DateTime()


class AlertEventSchema(Schema):
    action = fields.Str(metadata={"description": "opened | note | closed"})
    note = fields.Str()
    at = fields.DateTime()


class AlertSchema(Schema):
    id = fields.Int()
    project_id = fields.Int()
    rule = fields.Str()
    subject = fields.Str()
    severity = fields.Str(metadata={"description": " | ".join(RiskSeverity.ALL)})
    status = fields.Str(metadata={"description": "open | closed"})
    message = fields.Str()
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    closed_reason = fields.Str()
    events = fields.List(fields.Nested(AlertEventSchema))


class DashboardAlertSchema(AlertSchema):
    project = fields.Nested(ProjectRefSchema)


class ChainCountSchema(Schema):
    chain = fields.Str()
    high = fields.Function(lambda c: c.counts.get("high", 0), metadata={"type": "integer"})
    medium = fields.Function(lambda c: c.counts.get("medium", 0), metadata={"type": "integer"})
    low = fields.Function(lambda c: c.counts.get("low", 0), metadata={"type": "integer"})
    total = fields.Int()


class BehindSchema(Schema):
    project = fields.Nested(ProjectRefSchema)
    alerts = fields.List(fields.Nested(AlertSchema))


class RiskDashboardSchema(Schema):
    chain = fields.Str()
    by_chain = fields.List(fields.Nested(ChainCountSchema))
    alerts = fields.List(fields.Nested(DashboardAlertSchema))
    behind = fields.List(fields.Nested(BehindSchema))


class ChangeRequestInSchema(Schema):
    kinds = fields.List(fields.Str(**_one_of(("goal", "content", "leader", "period"))), required=True)
    reason = fields.Str(required=True, validate=validate.Length(max=4000))
    task_book = fields.Dict(required=True, metadata={
        "description": "the whole task book as it should read after the change (the document of GET "
                       "/projects/{id}: start from its task_book.content)"})


class RiskReportInSchema(Schema):
    # some text that is not only spaces (the service refuses a blank report, naming the field)
    description = fields.Str(required=True, validate=[validate.Length(min=1, max=4000), validate.Regexp(r"\s*\S")],
                             metadata={"description": "what could make the project fail, and what the team does"})
