"""The library's commands: registering (directly and as a process's service task), status
transitions allowed and refused, re-grading, merging, delisting, linking; who may write; the audit."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ProblemStatusChange, ProcessInstance, QualityProblem
from app.services.audit import trail
from app.services.errors import Conflict, Forbidden, ValidationFailed
from app.services.registries.problems import commands
from tests.problem_support import A, make_consortium, problem_data, register, report_through_process, run, user


def _events(kind):
    return db.session.execute(select(AuditEvent).where(AuditEvent.type == kind).order_by(AuditEvent.id)).scalars().all()


def _history(problem_id):
    return [(h.from_status, h.to_status) for h in db.session.execute(
        select(ProblemStatusChange).where(ProblemStatusChange.problem_id == problem_id)
        .order_by(ProblemStatusChange.id)).scalars()]


def test_registering_stores_the_app_c_fields_grade_and_history(app):
    consortium = make_consortium(A)
    result = register(problem_data(consortium.id, impact_score="4.5", diffusion_score=4, urgency_score=3.5))
    problem = db.session.get(QualityProblem, result["problem_id"])
    assert (problem.number, problem.status, problem.segment, problem.link) == (
        result["problem_number"], "identified", "upstream", "原材料")
    assert problem.defect_rate == Decimal("3.2") and problem.complaints == 12 and problem.gap_value == Decimal("1.1")
    assert problem.technical_roots == ["material", "process"] and problem.management_roots == ["standards"]
    assert (problem.total_score, problem.grade) == (Decimal("4.05"), "critical")
    assert _history(problem.id) == [(None, "identified")]
    [event] = _events("problem_registered")
    assert event.chain == "system" and event.data["problem_number"] == problem.number


def test_the_report_process_registers_through_its_service_task(app):
    consortium = make_consortium(A)
    case = report_through_process("applicant", problem_data(consortium.id, reporter_unit_name="", reporter_name=""))
    problem = db.session.execute(select(QualityProblem).where(QualityProblem.instance_id == case.id)).scalar_one()
    assert problem.reporter_id == user("applicant").id
    assert problem.reporter_unit_name == "广州智能装备集团有限公司"       # from the reporter's unit
    case = db.session.get(ProcessInstance, case.id)
    assert case.status == "completed"
    types = [e.type for e in trail.events_of(case.id)]
    # the decision first, then what it caused: the registration, the service task's own event
    assert types.index("task_completed") < types.index("problem_registered") < types.index("service_task_completed")
    service = [e for e in trail.events_of(case.id) if e.type == "service_task_completed"][0]
    assert service.data["result"] == {"problem_id": problem.id, "problem_number": problem.number}
    assert all(report.ok for report in trail.verify_all())


@pytest.mark.parametrize("field, value", [
    ("segment", "sideways"), ("category", "beauty"), ("impact_score", 6), ("urgency_score", "x"),
    ("defect_rate", "abc"), ("defect_rate", 120), ("complaints", -1), ("report_date", "2026-13-01"),
    ("technical_roots", ["luck"]), ("consortium_id", None), ("consortium_id", 2**63), ("title", ""),
    ("title", "长" * 201), ("chain", "XYZ"), ("is_generic", "yes"),
])
def test_bad_data_is_refused_naming_the_field(app, field, value):
    consortium = make_consortium(A)
    with pytest.raises(ValidationFailed) as caught:
        register({**problem_data(consortium.id), field: value})
    assert field in caught.value.errors and caught.value.status == 422
    assert db.session.execute(select(QualityProblem.id)).first() is None


def test_status_moves_forward_one_step_at_a_time_and_is_audited(app):
    consortium = make_consortium(A)
    problem_id = register(problem_data(consortium.id))["problem_id"]
    for status in ("analysing", "in_breakthrough", "solved"):
        run(commands.set_problem_status, problem_id, status, reason=f"to {status}")
    assert _history(problem_id) == [(None, "identified"), ("identified", "analysing"),
                                    ("analysing", "in_breakthrough"), ("in_breakthrough", "solved")]
    assert [(e.data["from"], e.data["to"]) for e in _events("problem_status_changed")] == [
        ("identified", "analysing"), ("analysing", "in_breakthrough"), ("in_breakthrough", "solved")]


@pytest.mark.parametrize("path, refused", [
    ([], "solved"), (["analysing"], "solved"), (["analysing"], "analysing"),
    (["analysing", "in_breakthrough", "solved"], "analysing"), (["in_breakthrough"], "in_breakthrough"),
])
def test_other_status_changes_are_refused_and_leave_nothing(app, path, refused):
    consortium = make_consortium(A)
    problem_id = register(problem_data(consortium.id))["problem_id"]
    for status in path:
        run(commands.set_problem_status, problem_id, status)
    before = (len(_history(problem_id)), len(_events("problem_status_changed")))
    with pytest.raises(commands.IllegalProblemTransition) as caught:
        run(commands.set_problem_status, problem_id, refused)
    assert caught.value.status == 409 and refused in caught.value.message
    assert (len(_history(problem_id)), len(_events("problem_status_changed"))) == before


def test_merging_and_delisting_are_not_status_changes_of_the_project_lifecycle(app):
    consortium = make_consortium(A)
    problem_id = register(problem_data(consortium.id))["problem_id"]
    for status in ("merged", "delisted", "identified", "bogus"):
        with pytest.raises(ValidationFailed) as caught:
            run(commands.set_problem_status, problem_id, status)
        assert "status" in caught.value.errors


@pytest.mark.parametrize("username", ["applicant", "leader", "admin", "auditor", "district_huangpu", "expert1"])
def test_only_the_managing_body_the_city_office_processes_and_the_system_write(app, username):
    consortium = make_consortium(A)
    problem_id = register(problem_data(consortium.id))["problem_id"]
    with pytest.raises(Forbidden):
        run(commands.set_problem_status, problem_id, "analysing", actor=user(username))
    with pytest.raises(Forbidden):
        register(problem_data(consortium.id), actor=user(username))
    run(commands.set_problem_status, problem_id, "analysing", actor=user("manager"))
    run(commands.set_problem_status, problem_id, "in_breakthrough", actor=user("city"))
    assert db.session.get(QualityProblem, problem_id).status == "in_breakthrough"
    assert [e.actor_name for e in _events("problem_status_changed")] == ["问题库管理员", "市办审核员"]


def test_merge_keeps_the_history_and_links_both_ways(app):
    consortium = make_consortium(A)
    kept = register(problem_data(consortium.id, title="电驱异响"))["problem_id"]
    duplicate = register(problem_data(consortium.id, title="电驱异响（重复）"))["problem_id"]
    run(commands.set_problem_status, duplicate, "analysing")
    run(commands.merge_problem, duplicate, kept, reason="重复上报")
    problem = db.session.get(QualityProblem, duplicate)
    assert (problem.status, problem.merged_into_id) == ("merged", kept)
    assert _history(duplicate) == [(None, "identified"), ("identified", "analysing"), ("analysing", "merged")]
    assert commands.links_of(db.session, kept) == [duplicate] and commands.links_of(db.session, duplicate) == [kept]
    [event] = _events("problem_merged")
    assert event.data["into_number"] == db.session.get(QualityProblem, kept).number
    with pytest.raises(Conflict):                      # merged: it moves no more
        run(commands.set_problem_status, duplicate, "in_breakthrough")
    with pytest.raises(Conflict):                      # and nothing merges into it
        run(commands.merge_problem, kept, duplicate)


def test_merge_refuses_itself_another_consortium_and_work_in_progress(app):
    a, other = make_consortium(A), make_consortium(("半导体", "nansha", "广州芯片制造有限公司", "applicant", "leader"))
    first = register(problem_data(a.id))["problem_id"]
    second = register(problem_data(a.id))["problem_id"]
    elsewhere = register(problem_data(other.id))["problem_id"]
    with pytest.raises(ValidationFailed):
        run(commands.merge_problem, first, first)
    with pytest.raises(ValidationFailed) as caught:
        run(commands.merge_problem, first, elsewhere)
    assert "into_id" in caught.value.errors
    run(commands.set_problem_status, second, "analysing")
    run(commands.set_problem_status, second, "in_breakthrough")
    with pytest.raises(commands.IllegalProblemTransition):      # a project works on it
        run(commands.merge_problem, second, first)


def test_delisting_needs_a_reason_and_keeps_the_problem(app):
    consortium = make_consortium(A)
    problem_id = register(problem_data(consortium.id))["problem_id"]
    with pytest.raises(ValidationFailed) as caught:
        run(commands.delist_problem, problem_id, reason="  ")
    assert "reason" in caught.value.errors
    run(commands.delist_problem, problem_id, reason="企业已自行整改")
    problem = db.session.get(QualityProblem, problem_id)
    assert problem.status == "delisted" and _history(problem_id)[-1] == ("identified", "delisted")
    with pytest.raises(Conflict):
        run(commands.regrade_problem, problem_id, 1, 1, 1)


def test_regrading_recomputes_total_and_grade_and_records_both(app):
    consortium = make_consortium(A)
    problem_id = register(problem_data(consortium.id))["problem_id"]      # 5, 4, 4 -> 4.40 critical
    run(commands.regrade_problem, problem_id, "2", "3", "2.5", reason="复核")
    problem = db.session.get(QualityProblem, problem_id)
    assert (problem.total_score, problem.grade) == (Decimal("2.45"), "general")
    [event] = _events("problem_regraded")
    assert event.data["before"] == {"total": "4.40", "grade": "critical"}
    assert event.data["after"] == {"total": "2.45", "grade": "general"}
    with pytest.raises(ValidationFailed) as caught:
        run(commands.regrade_problem, problem_id, 3, 9, 3)
    assert "diffusion_score" in caught.value.errors


def test_links_show_both_ways_once(app):
    consortium = make_consortium(A)
    one, two, three = (register(problem_data(consortium.id))["problem_id"] for _ in range(3))
    run(commands.link_problems, three, one)
    run(commands.link_problems, one, three)            # again, the other way: nothing new
    run(commands.link_problems, two, three)
    assert commands.links_of(db.session, three) == [one, two]
    assert commands.links_of(db.session, one) == [three]
    assert len(_events("problems_linked")) == 2
    with pytest.raises(ValidationFailed):
        run(commands.link_problems, one, one)
    with pytest.raises(ValidationFailed):
        run(commands.link_problems, one, 2**63)
