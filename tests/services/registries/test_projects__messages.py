"""The team's requests reach the project's case as messages (bpmn/breakthrough_project.bpmn's
non-interrupting message event subprocesses): a change request decided by the managing body makes
the next task book version; a reported risk is an alert until the managing body has handled it.
An accepted project is announced to the achievement library (a pending message until a receiver
is deployed)."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ChangeRequest, RiskAlert
from app.services.command import command
from app.services.errors import Forbidden
from app.services.registries.projects import changes, requests
from tests.problem_support import act, open_rows, user
from tests.project_lifecycle_support import pending_jobs, project_in_execution, project_of, steps


def _prefill(project):
    with command() as ctx:
        return changes.prefill(ctx, project.id)


@pytest.mark.parametrize("decision, version", [("approve", 2), ("reject", 1)])
def test_a_change_request_reaches_the_managing_body_and_takes_effect_only_when_approved(app, decision, version):
    case, _ids = project_in_execution()
    project = project_of(case)
    proposed = _prefill(project)
    proposed["milestones"][0]["due"] = proposed["milestones"][1]["due"]
    change = requests.submit_change_request(user("applicant"), project.id, ["period"], "材料到货推迟。", proposed)
    assert "change_review" in steps(case)
    [row] = open_rows(case, "change_review")
    assert row.candidate_groups == "managing_body"
    act("manager", case, {"decision": decision, "opinion": "审批意见。"}, element="change_review")
    change = db.session.get(ChangeRequest, change.id)
    assert change.status == ("approved" if decision == "approve" else "rejected")
    assert project_of(case).task_book_version == version
    dues = sorted(j.policy["due"] for j in pending_jobs("milestone_due", case))
    assert (dues[0] == dues[1]) is (decision == "approve")
    assert "change_review" not in steps(case) and "midterm_check" not in steps(case)


def test_only_the_lead_unit_may_request_a_change_or_report_a_risk(app):
    case, _ids = project_in_execution()
    project = project_of(case)
    with pytest.raises(Forbidden):
        requests.submit_change_request(user("applicant2"), project.id, ["goal"], "x", _prefill(project))
    with pytest.raises(Forbidden):
        requests.report_risk(user("applicant2"), project.id, "风险")
    assert db.session.execute(select(ChangeRequest)).first() is None and "change_review" not in steps(case)


def test_a_reported_risk_is_an_alert_until_the_managing_body_handled_it(app):
    case, _ids = project_in_execution()
    project = project_of(case)
    requests.report_risk(user("applicant"), project.id, "关键原材料供应商停产，试验可能延期三个月。")
    [alert] = db.session.execute(select(RiskAlert).where(RiskAlert.project_id == project.id)).scalars().all()
    assert (alert.rule, alert.subject, alert.severity, alert.status) == ("team_reported", "R1", "high", "open")
    assert project_of(case).risk_level == "high"
    act("manager", case, {"decision": "approve", "opinion": "已协调替代供应商。"}, element="handle_risk")
    db.session.refresh(alert)
    assert (alert.status, alert.closed_reason, project_of(case).risk_level) == ("closed", "已协调替代供应商。", "")
