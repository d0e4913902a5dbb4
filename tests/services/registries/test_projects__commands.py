"""The project library's commands: who may write, the proposal's source problems, the signatures a
task book needs, reports settling alerts, change requests making the next version, acceptance."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ChangeRequest, QualityProblem, RiskAlert, TaskBookVersion, TimerJob
from app.services.errors import Conflict, Forbidden, ValidationFailed
from app.services.registries.problems import commands as problem_commands
from app.services.registries.projects import alerts, changes, checks, due_checks, proposals, reports, task_books
from app.services.workflow import cases
from tests.problem_support import act, open_rows, run, user
from tests.project_lifecycle_support import (
    book,
    consortium_with_problems,
    pending_jobs,
    project_in_execution,
    project_of,
    proposal,
)


def test_a_proposal_needs_problems_of_the_library_in_a_status_a_project_may_take_up(app):
    consortium, ids = consortium_with_problems()
    run(problem_commands.delist_problem, ids[1], reason="已不适用。")
    number = db.session.get(QualityProblem, ids[1]).number
    with pytest.raises(ValidationFailed) as refused:
        run(proposals.propose_project, None, proposal(consortium.id, ids), actor=user("applicant"))
    assert number in " ".join(refused.value.errors["problem_ids"])
    with pytest.raises(ValidationFailed) as refused:
        run(proposals.propose_project, None, proposal(consortium.id, []), actor=user("applicant"))
    assert "problem_ids" in refused.value.errors
    with pytest.raises(Forbidden):                  # a member unit, not the lead unit
        run(proposals.propose_project, None, proposal(consortium.id, ids[:1]), actor=user("applicant3"))
    found = run(proposals.propose_project, None, proposal(consortium.id, ids[:1]), actor=user("applicant"))
    assert found["project_number"].endswith("-0001")


def test_approval_puts_the_problems_in_breakthrough_and_only_writers_may_approve(app):
    consortium, ids = consortium_with_problems()
    found = run(proposals.propose_project, None, proposal(consortium.id, ids), actor=user("applicant"))
    with pytest.raises(Forbidden):
        run(proposals.approve_proposal, found["project_id"], actor=user("admin"))
    run(proposals.approve_proposal, found["project_id"], actor=user("manager"))
    assert [db.session.get(QualityProblem, i).status for i in ids] == ["in_breakthrough"] * 2
    with pytest.raises(Conflict):                   # approved once
        run(proposals.approve_proposal, found["project_id"], actor=user("manager"))


def test_the_task_book_needs_every_partys_signature_before_it_is_version_1(app):
    consortium, ids = consortium_with_problems()
    found = run(proposals.propose_project, None, proposal(consortium.id, ids), actor=user("applicant"))
    run(proposals.approve_proposal, found["project_id"])
    pid = found["project_id"]
    _project, normal, signers = run(task_books.check_task_book, pid, book(), actor=user("applicant"))
    assert signers == ["leader", "leader3"]
    with pytest.raises(Conflict) as refused:
        run(task_books.freeze_task_book, pid, normal, [{"user": "leader", "decision": "approve"}])
    assert "leader3" in refused.value.message
    run(task_books.freeze_task_book, pid, normal, [{"user": u, "decision": "approve"} for u in signers])
    [version] = db.session.execute(select(TaskBookVersion).where(TaskBookVersion.project_id == pid)).scalars()
    assert version.version == 1 and [m["key"] for m in version.content["milestones"]] == ["M1", "M2"]


def test_a_task_book_refusal_names_each_field_in_the_users_language(app):
    with pytest.raises(ValidationFailed) as refused:
        task_books.checked(book(period_end="2020-01-01", targets=[{"kind": "quality", "name": "合格率",
                                                                   "baseline": "90", "target": "120"}]))
    assert refused.value.errors["targets.0.target"] == ["合格率应在 0 到 100 之间。"]
    assert "period_end" in refused.value.errors


def _report(case, quarter, **values):
    project = project_of(case)
    return run(reports.submit_report, project.id, {"report_quarter": quarter, **values}, actor=user("applicant"))


def test_a_report_closes_its_alerts_and_raises_target_behind_by_the_rules(app):
    case, _ids = project_in_execution()
    project = project_of(case)
    version = run(task_books.current, project)
    first = due_checks.quarters(version.content)
    quarter = first[1]
    run(alerts.open_alert, project, "report_missing", quarter, "迟报")
    run(alerts.open_alert, project, "milestone_overdue", "M1", "逾期")
    _report(case, quarter, milestones=[{"key": "M1", "done": True}],
            target_values=[{"key": "T1", "value": "90"}, {"key": "T2", "value": "3"}])
    rows = db.session.execute(select(RiskAlert).where(RiskAlert.project_id == project.id)
                              .order_by(RiskAlert.id)).scalars().all()
    assert [(a.rule, a.status) for a in rows] == [("report_missing", "closed"), ("milestone_overdue", "closed"),
                                                  ("target_behind", "open")]
    behind = rows[-1]
    assert behind.subject == "T1" and behind.severity == "high"      # no progress at all: 100 % behind
    assert Decimal(behind.detail["lag_percent"]) == Decimal("100.0")
    assert project_of(case).risk_level == "high"
    with pytest.raises(Conflict):
        _report(case, quarter)


def test_a_change_request_becomes_version_2_and_moves_the_milestone_jobs(app):
    case, _ids = project_in_execution()
    project = project_of(case)
    proposed = run(changes.prefill, project.id)
    old_jobs = {j.policy["milestone"]: j for j in pending_jobs("milestone_due", case)}
    proposed["milestones"][0]["due"] = proposed["milestones"][1]["due"]
    proposed["leader"] = "李强"
    with pytest.raises(Forbidden):
        run(changes.request_change, project.id, ["period"], "x", proposed, actor=user("applicant2"))
    change = run(changes.request_change, project.id, ["leader", "period"], "负责人调动，里程碑顺延。", proposed,
                 actor=user("applicant"))
    assert {c.path for c in run(changes.diff_of, change.id)} == {"leader", "milestones.M1"}
    run(changes.decide_change, change.id, True, "同意。", actor=user("manager"))
    change = db.session.get(ChangeRequest, change.id)
    assert (change.status, change.resulting_version, project_of(case).task_book_version) == ("approved", 2, 2)
    assert all(db.session.get(TimerJob, j.id).status == "cancelled" for j in old_jobs.values())
    new_jobs = {j.policy["milestone"]: j.policy["due"] for j in pending_jobs("milestone_due", case)}
    assert new_jobs == {"M1": proposed["milestones"][1]["due"], "M2": proposed["milestones"][1]["due"]}
    with pytest.raises(Conflict):
        run(changes.decide_change, change.id, False, actor=user("manager"))


@pytest.mark.parametrize("result, project_status, problem_status", [
    ("pass", "accepted", "solved"), ("fail", "failed", "analysing"), ("conditional", "executing", "in_breakthrough")])
def test_the_acceptance_result_decides_the_project_and_its_problems(app, result, project_status, problem_status):
    case, ids = project_in_execution()
    project = project_of(case)
    with pytest.raises(ValidationFailed) as refused:
        run(checks.apply_for_acceptance, project.id, {"final_report": "完成。"}, actor=user("applicant"))
    assert "target_evidence" in refused.value.errors
    run(checks.apply_for_acceptance, project.id, {"final_report": "完成。", "target_evidence": [
        {"key": "T1", "value": "98"}, {"key": "T2", "value": "3"}]}, actor=user("applicant"))
    run(checks.record_acceptance, project.id, result, "结论。", actor=user("manager"))
    assert project_of(case).status == project_status
    assert {db.session.get(QualityProblem, i).status for i in ids} == {problem_status}


def test_a_rectification_needs_a_deadline_and_each_round_is_kept(app):
    case, _ids = project_in_execution()
    project = project_of(case)
    with pytest.raises(ValidationFailed):
        run(checks.record_midterm, project.id, "rectify", "补充数据。", actor=user("manager"))
    first = run(checks.record_midterm, project.id, "rectify", "补充数据。", "2099-01-31", actor=user("manager"))
    second = run(checks.record_midterm, project.id, "pass", "通过。", actor=user("manager"))
    assert (first.round, second.round) == (1, 2)


def test_the_problem_picker_offers_the_consortiums_open_problems_only(app):
    consortium, ids = consortium_with_problems()
    run(problem_commands.set_problem_status, ids[0], "in_breakthrough")
    choices = proposals.problem_choices(db.session, user("applicant"))
    assert [c[0] for c in choices] == [ids[1]]
    case = cases.start_instance(user("applicant"), "breakthrough_project")
    with pytest.raises(ValidationFailed) as refused:
        act("applicant", case, proposal(consortium.id, ids))
    assert "problem_ids" in refused.value.errors
    assert [r.element_id for r in open_rows(case)] == ["proposal"]


def test_alerts_take_notes_from_the_team_and_are_closed_by_the_managing_body(app):
    case, _ids = project_in_execution()
    project = project_of(case)
    alert = run(alerts.open_alert, project, "team_reported", "R1", "供应商停产。", actor=user("applicant"))
    assert run(alerts.open_alert, project, "team_reported", "R1", "again").id == alert.id     # one open per subject
    run(alerts.note_alert, alert.id, "已联系替代供应商。", actor=user("applicant"))
    with pytest.raises(Forbidden):
        run(alerts.note_alert, alert.id, "x", actor=user("applicant2"))
    with pytest.raises(Forbidden):
        run(alerts.close_alert_by_id, alert.id, "x", actor=user("applicant"))
    run(alerts.close_alert_by_id, alert.id, "已处置。", actor=user("manager"))
    alert = db.session.get(RiskAlert, alert.id)
    assert [e.action for e in alert.events] == ["opened", "note", "closed"] and project_of(case).risk_level == ""
    with pytest.raises(Conflict):
        run(alerts.close_alert_by_id, alert.id, "again", actor=user("manager"))
