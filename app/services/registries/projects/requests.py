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

from ....models.states import InstanceStatus, ProjectStatus
from ...command import command
from ...errors import Conflict, ValidationFailed
from ...workflow import message_routing
from ...workflow.loading import lock_case
from ...workflow.steps import apply_step
from . import changes, records

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
