"""The project page's team requests: only the lead unit is offered and allowed them; a risk report
opens an alert at once, and a refused change request keeps what was typed."""
from sqlalchemy import select

from app.extensions import db
from app.models import RiskAlert
from tests.project_lifecycle_support import project_in_execution, project_of


def test_the_lead_unit_reports_a_risk_and_others_are_not_offered_it(app, browser):
    case, _ids = project_in_execution()
    project = project_of(case)
    lead = browser("applicant", lang="zh")
    page = lead.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'id="request-change"' in page and 'id="report-risk"' in page
    other = browser("manager", lang="zh")
    assert 'id="report-risk"' not in other.get(f"/projects/{project.id}").get_data(as_text=True)
    assert other.get(f"/projects/{project.id}/risk-reports/new").status_code == 403
    assert lead.post(f"/projects/{project.id}/risk-reports/new", data={"risk_description": "关键供应商停产。"}
                     ).status_code == 302
    [alert] = db.session.execute(select(RiskAlert).where(RiskAlert.project_id == project.id)).scalars().all()
    assert (alert.rule, alert.status) == ("team_reported", "open")


def test_a_change_request_without_a_reason_keeps_the_form(app, browser):
    case, _ids = project_in_execution()
    project = project_of(case)
    lead = browser("applicant", lang="zh")
    form = lead.get(f"/projects/{project.id}/change-requests/new").get_data(as_text=True)
    assert 'name="change_kinds"' in form and 'id="f-leader"' in form
    refused = lead.post(f"/projects/{project.id}/change-requests/new", data={"leader": "王强"})
    assert refused.status_code == 422 and 'value="王强"' in refused.get_data(as_text=True)
