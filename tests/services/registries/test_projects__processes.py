"""The shipped lifecycle (bpmn/breakthrough_project.bpmn) through the real engine and services:
proposal, reviews, task book signed by every party, quarterly reports opened by the timer after
each quarter, the mid-term check with a rectification round, acceptance, archive, and the
achievement admission message."""
from datetime import datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ProcessInstance, ProjectCheck, QualityProblem, TaskBookVersion
from app.services.audit import replay
from app.services.errors import ValidationFailed
from app.services.workflow import cases, timer_firing
from tests.problem_support import act, open_rows, user
from tests.project_lifecycle_support import (
    EXPERTS,
    ONE_SECOND,
    approved,
    book,
    consortium_with_problems,
    data_of,
    executing,
    pending_jobs,
    project_of,
    proposed,
    steps,
)


def statuses(ids):
    return [db.session.get(QualityProblem, pid).status for pid in ids]


def test_a_proposal_is_reviewed_approved_and_its_task_book_signed_by_every_party(app):
    consortium, ids = consortium_with_problems()
    case = proposed(consortium.id, ids)
    project = project_of(case)
    assert project.status == "proposed" and project.number.startswith("GZ-XM-IEQ-")
    assert steps(case) == ["body_review"]
    approved(case)
    assert statuses(ids) == ["in_breakthrough", "in_breakthrough"]
    assert db.session.get(type(project), project.id).status == "task_book"
    with pytest.raises(ValidationFailed) as refused:             # the book must be complete
        act("applicant", case, dict(book(milestones=[]), decision="approve"))
    assert "milestones" in refused.value.errors
    executing(case)
    project = db.session.get(type(project), project.id)
    assert (project.status, project.task_book_version) == ("executing", 1)
    [version] = db.session.execute(select(TaskBookVersion).where(TaskBookVersion.project_id == project.id)).scalars()
    assert sorted(s["user"] for s in version.signatures) == ["leader", "leader3"]
    assert [t["key"] for t in version.content["targets"]] == ["T1", "T2"]
    assert len(pending_jobs("milestone_due", case)) == 2
    assert replay.reexecute(user("auditor"), db.session.get(type(case), case.id)).ok


def test_a_rejected_proposal_leaves_its_problems_as_they_were(app):
    consortium, ids = consortium_with_problems()
    case = proposed(consortium.id, ids)
    act("manager", case, {"decision": "reject", "opinion": "与现有项目重复。"})
    assert project_of(case).status == "rejected" and statuses(ids) == ["identified", "identified"]
    assert db.session.get(type(case), case.id).outcome == "rejected"


def timer_due(case, element):
    """The due time of the case's pending timer job at `element` (None when none waits there)."""
    jobs = [j for j in pending_jobs("bpmn_timer", case) if j.element_id == element]
    return jobs[0].due_at if jobs else None


def _fire_at(case, element, step):
    """Fire the timer waiting at `element` exactly when due (not a second before): `step` opens."""
    due = timer_due(case, element)
    timer_firing.fire_due(at=due - ONE_SECOND)
    assert step not in steps(case)
    timer_firing.fire_due(at=due)
    assert step in steps(case)


def test_the_whole_lifecycle_through_reports_midterm_rectification_and_acceptance(app):
    consortium, ids = consortium_with_problems()
    case = proposed(consortium.id, ids)
    approved(case)
    executing(case)
    quarters = []
    while timer_due(case, "quarter_ends") is not None:      # a report opens after each quarter of the period
        if len(quarters) == 2:                   # the mid-term check falls at the midpoint meanwhile
            _fire_at(case, "midterm_due", "midterm_check")
            _midterm_with_rectification(case)
        _fire_at(case, "quarter_ends", "quarterly_report")
        [row] = open_rows(case, "quarterly_report")
        quarters.append(cases.task_data(row)["report_quarter"])
        act("applicant", case, {"report_summary": f"{quarters[-1]} 按计划推进。", "decision": "approve",
                                 "milestone_progress": [{"key": "M1", "done": True}, {"key": "M2", "done": True}],
                                 "target_values": [{"key": "T1", "value": "98"}, {"key": "T2", "value": "3"}]})
    assert len(quarters) >= 4 and quarters == sorted(quarters)
    report = replay.reexecute(user("auditor"), db.session.get(type(case), case.id))
    assert report.ok, report
    assert steps(case) == ["apply_acceptance"]
    act("applicant", case, {"final_report": "全部指标达成。", "decision": "approve",
                            "target_evidence": [{"key": "T1", "value": "98.5", "evidence": "检测报告"},
                                                {"key": "T2", "value": "3", "evidence": "应用证明"}]})
    assert project_of(case).status == "acceptance"
    for name in EXPERTS:
        act(name, case, {"decision": "approve", "opinion": "同意通过验收。"})
    case = db.session.get(type(case), case.id)
    assert (case.status, case.outcome) == ("completed", "accepted")
    assert project_of(case).status == "accepted" and statuses(ids) == ["solved", "solved"]
    data = data_of(case)
    assert data["contributor_unit"] == consortium.lead_unit_name and len(data["problem_numbers"]) == 2
    # the announcement opened an admission case, its form filled from the project, for the proposer
    admission = db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == "achievement_admission")).scalar_one()
    [step] = open_rows(admission, "fill_form")
    form = cases.task_data(step)
    assert (form["project_number"], form["name"], form["contributor_name"], form["consortium_id"]) == \
        (project_of(case).number, project_of(case).name, consortium.lead_unit_name, consortium.id)
    assert step.assignee.username == "applicant" and form["problem_id"] in ids


def _midterm_with_rectification(case):
    deadline = datetime.now().date().replace(year=datetime.now().year + 1).isoformat()
    act("expert1", case, {"decision": "return", "rectification_deadline": deadline, "opinion": "检测数据不足，需整改。"})
    [row] = open_rows(case, "rectification")
    data = cases.task_data(row)
    assert (data["midterm_result"], data["midterm_round"], data["rectification_deadline"]) == ("rectify", 1, deadline)
    act("applicant", case, {"rectification_report": "已补充台架试验数据。", "decision": "approve"})
    for name in EXPERTS:
        act(name, case, {"decision": "approve", "opinion": "整改到位。"}, element="midterm_check")
    project = project_of(case)
    results = db.session.execute(select(ProjectCheck.result).where(
        ProjectCheck.project_id == project.id, ProjectCheck.kind == "midterm").order_by(ProjectCheck.round)).scalars()
    assert list(results) == ["rectify", "pass"]
