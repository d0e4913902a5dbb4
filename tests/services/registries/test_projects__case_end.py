"""A breakthrough project whose lifecycle case ends early: a proposal its lead unit cancels (or an
administrator terminates) is withdrawn; an approved project can no longer be cancelled by its lead unit,
and an administrator's termination terminates it: its problems go back to analysis, its open risk alerts
close, a change request waiting for the managing body is withdrawn."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ChangeRequest, QualityProblem, RiskAlert
from app.models.states import ProblemStatus, ProjectStatus
from app.services.audit import replay
from app.services.command import command
from app.services.errors import Conflict
from app.services.operations import cancellation, termination
from app.services.registries.projects import changes, requests
from tests.problem_support import user
from tests.project_lifecycle_support import (
    approved,
    consortium_with_problems,
    pending_jobs,
    project_in_execution,
    project_of,
    proposed,
)


def problem_statuses(ids):
    db.session.expire_all()
    return [db.session.get(QualityProblem, i).status for i in ids]


@pytest.mark.parametrize("by", ["applicant", "admin"])
def test_a_proposal_is_withdrawn_with_its_case(app, by):
    consortium, ids = consortium_with_problems()
    case = proposed(consortium.id, ids)
    assert project_of(case).status == ProjectStatus.PROPOSED
    if by == "applicant":
        cancellation.cancel_own_case(user("applicant"), case.id, "合并到另一项目申报")
    else:
        termination.terminate(user("admin"), case.id, "合并到另一项目申报")
    db.session.expire_all()
    assert project_of(case).status == ProjectStatus.WITHDRAWN
    assert problem_statuses(ids) == [ProblemStatus.IDENTIFIED] * 2     # never taken up


def test_an_approved_project_is_terminated_with_its_case(app):
    case, ids = project_in_execution()
    project = project_of(case)
    assert problem_statuses(ids) == [ProblemStatus.IN_BREAKTHROUGH] * 2
    assert pending_jobs("milestone_due", case)
    with pytest.raises(Conflict, match=project.number):
        cancellation.cancel_own_case(user("applicant"), case.id, "不做了")
    requests.report_risk(user("applicant"), project.id, "关键原材料供应商停产，试验可能延期三个月。")
    with command() as ctx:
        proposed_book = changes.prefill(ctx, project.id)
    proposed_book["milestones"][0]["due"] = proposed_book["milestones"][1]["due"]
    change = requests.submit_change_request(user("applicant"), project.id, ["period"], "材料到货推迟。", proposed_book)

    termination.terminate(user("admin"), case.id, "牵头单位退出")
    db.session.expire_all()
    project = project_of(case)
    assert project.status == ProjectStatus.TERMINATED and project.risk_level == ""
    assert problem_statuses(ids) == [ProblemStatus.ANALYSING] * 2
    assert {a.status for a in db.session.execute(select(RiskAlert).where(
        RiskAlert.project_id == project.id)).scalars()} == {"closed"}
    assert db.session.get(ChangeRequest, change.id).status == changes.WITHDRAWN
    assert pending_jobs("milestone_due", case) == []
    assert replay.reexecute(user("auditor"), case).ok


def test_a_project_in_its_task_book_is_terminated_too(app):
    consortium, ids = consortium_with_problems()
    case = proposed(consortium.id, ids)
    approved(case)
    assert project_of(case).status == ProjectStatus.TASK_BOOK
    termination.terminate(user("admin"), case.id, "任务书无法达成一致")
    db.session.expire_all()
    assert project_of(case).status == ProjectStatus.TERMINATED
    assert problem_statuses(ids) == [ProblemStatus.ANALYSING] * 2
