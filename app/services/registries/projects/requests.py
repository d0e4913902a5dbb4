"""The team's requests from the project pages (5.5.4c, 5.5.4d): a change request and a risk report.

Each is one command: the library records what the lead unit asked, and the message that opens the
matching event subprocess of the project's case (`project_change_request`, `project_risk_report` in
bpmn/breakthrough_project.bpmn) is delivered to that case, by its business key, in the same
transaction: a request either reaches the managing body's inbox or is not recorded at all. The
case is locked first, as by every command that moves a case.

(The diagram lets API clients send these messages only as the managing body, `messageSenderGroups`:
the team's way in is through these commands, which check that the sender is the lead unit.)
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ....extensions import db
from ....models import ProcessInstance, TaskBookVersion
from ....models.states import InstanceStatus, ProjectStatus
from ...command import command
from ...errors import Conflict, Forbidden, ValidationFailed
from ...workflow import message_routing
from ...workflow.loading import lock_case
from ...workflow.steps import apply_step
from . import changes, records
from .queries import visible_project

TASK_BOOK_FORM = "project_task_book"     # the case's task book form (bpmn/breakthrough_project.bpmn)
CHANGE_MESSAGE = "project_change_request"
RISK_MESSAGE = "project_risk_report"
MAX_RISK_TEXT = 4000


def _case(project):
    case = lock_case(project.instance_id)
    if case is None or case.status != InstanceStatus.RUNNING:
        raise Conflict(_("The project's case is not running."))
    return case


def _deliver(ctx, case, name, variables):
    source = {"actor": ctx.actor.username if ctx.actor is not None else "system"}
    message_routing.deliver_message(ctx, name, variables, source, apply_step, business_key=case.business_key)


def submit_change_request(actor, project_id, kinds, reason, proposed):
    """The lead unit asks for a change (kinds of goal/content/leader/period, the reason, the whole
    proposed task book: start it from `changes.prefill`). Returns the pending ChangeRequest; the
    managing body decides at the case's step 管理机构审批变更."""
    with command(actor) as ctx:
        project = records.load(ctx, project_id)
        records.check_team(ctx, project)
        case = _case(project)
        change = changes.request_change(ctx, project.id, kinds, reason, proposed, instance=case)
        _deliver(ctx, case, CHANGE_MESSAGE, {"change_request_id": change.id, "change_kinds": change.kinds,
                                             "change_reason": change.reason})
    return change


def report_risk(actor, project_id, description):
    """The team reports a major risk: a team_reported alert opens at once (the case's service task)
    and the managing body gets the step 管理机构处置风险, whose completion closes it."""
    text = str(description or "").strip()
    if not text or len(text) > MAX_RISK_TEXT:
        raise ValidationFailed(_("Describe the risk."), {"risk_description": [
            _("Required, at most %(n)d characters.", n=MAX_RISK_TEXT)]})
    with command(actor) as ctx:
        project = records.load(ctx, project_id)
        records.check_team(ctx, project)
        records.require_status(project, ProjectStatus.EXECUTING)
        case = _case(project)
        _deliver(ctx, case, RISK_MESSAGE, {"risk_description": text})
    return project


CHANGE_FIELDS = {
    "change_kinds": {"type": "array", "title": "变更事项", "x-title-en": "What changes", "x-widget": "checkboxes",
                     "items": {"type": "string", "enum": list(changes.KINDS)},
                     "x-enum-labels": {"goal": "目标", "content": "内容", "leader": "负责人", "period": "周期"},
                     "x-enum-labels-en": {"goal": "Goal", "content": "Content", "leader": "Person in charge",
                                          "period": "Period"}},
    "change_reason": {"type": "string", "title": "变更理由", "x-title-en": "Reason for the change",
                      "x-widget": "textarea", "maxLength": 4000},
}


def team_may_request(user, project):
    """Whether the project page offers the team's requests to `user` (the commands check again)."""
    return project.status == ProjectStatus.EXECUTING and project.instance_id is not None and \
        records.in_lead_unit(user, project.consortium)


def change_request_form(actor, project_id):
    """(project, schema, values) of the change request page: what changes and why, then the whole
    task book as the case's own task book form lays it out, filled with the version in force."""
    project = visible_project(actor, project_id)
    if not team_may_request(actor, project):
        raise Forbidden(_("Only the project's lead unit asks for changes, while the project is executing."))
    case = db.session.get(ProcessInstance, project.instance_id)
    book = case.definition.forms.get(TASK_BOOK_FORM, {})
    properties = {k: v for k, v in book.get("properties", {}).items() if k not in ("decision", "opinion")}
    schema = {"title": "变更申请", "x-title-en": "Change request", "type": "object",
              "required": ["change_kinds", "change_reason"],
              "properties": {**CHANGE_FIELDS, **properties}}
    version = db.session.execute(select(TaskBookVersion).where(
        TaskBookVersion.project_id == project.id,
        TaskBookVersion.version == project.task_book_version)).scalar_one_or_none()
    return project, schema, dict(version.content) if version is not None else {}
