"""The shipped problem processes end to end through the services: a report screened, scored by
three experts, graded by rules/problem_severity.dmn and confirmed into the library; returns and
duplicates; an edited rule grading new reports only; the yearly review per consortium."""
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, ProblemReviewOutcome, ProblemStatusChange, QualityProblem
from app.services.command import command
from app.services.errors import ValidationFailed
from app.services.registries.problems import commands
from app.services.workflow import cases, definitions, deploy, tasks
from tests.problem_support import (
    EXPERTS,
    A,
    B,
    act,
    make_consortium,
    open_rows,
    problem_data,
    register,
    report_form,
    user,
)


def reported(consortium_id, **overrides):
    case = cases.start_instance(user("applicant"), "problem_report")
    act("applicant", case, report_form(consortium_id, **overrides))
    return case


def scored(case, scores):
    act("manager", case, {"decision": "approve", "experts": ",".join(EXPERTS), "opinion": "受理。"})
    for name, (impact, diffusion, urgency) in zip(EXPERTS, scores, strict=True):
        act(name, case, {"impact": impact, "diffusion": diffusion, "urgency": urgency, "decision": "approve",
                         "opinion": f"{name} 的评分意见。"})


def data_of(case):
    return cases.case_view(user("auditor"), case.id)["data"]


def test_a_report_is_scored_graded_confirmed_and_enters_the_library(app):
    consortium = make_consortium(A)
    case = reported(consortium.id)
    scored(case, [(5, 4, 4), (4, 4, 4), (4, 5, 3)])
    data = data_of(case)
    # each dimension is the experts' mean, half up to one decimal: 13/3 = 4.33 -> 4.3; 13/3 -> 4.3; 11/3 -> 3.7
    assert (data["impact"], data["diffusion"], data["urgency"]) == (4.3, 4.3, 3.7)        # one decimal, exact via str()
    assert data["severity"]["total"] == Decimal("4.12") and data["severity"]["grade"] == "critical"
    assert [r.element_id for r in open_rows(case)] == ["confirm_grade"]
    act("manager", case, {"decision": "approve", "opinion": "确认。"})
    problem = db.session.execute(select(QualityProblem).where(QualityProblem.instance_id == case.id)).scalar_one()
    assert (problem.grade, problem.total_score, problem.status) == ("critical", Decimal("4.12"), "identified")
    assert (problem.impact_score, problem.urgency_score) == (Decimal("4.3"), Decimal("3.7"))
    assert problem.number.startswith("GZ-IEQ-") and problem.technical_roots == ["material", "process"]
    assert db.session.get(type(case), case.id).outcome == "registered"


def test_the_reporter_may_file_only_under_a_consortium_of_their_unit(app):
    mine, other = make_consortium(A), make_consortium(B)
    case = cases.start_instance(user("applicant"), "problem_report")
    with pytest.raises(ValidationFailed) as refused:
        act("applicant", case, report_form(other.id))
    assert "consortium_id" in refused.value.errors
    act("applicant", case, report_form(mine.id))
    assert data_of(case)["consortium_name"] == mine.name


def test_screening_returns_for_more_data_or_rejects_a_duplicate_and_the_reporter_hears_of_it(app):
    consortium = make_consortium(A)
    existing = register(problem_data(consortium.id))
    case = reported(consortium.id)
    act("manager", case, {"decision": "return", "opinion": "请补充近一年的失效统计。"})
    assert [r.element_id for r in open_rows(case)] == ["report_problem"]
    act("applicant", case, report_form(consortium.id, failure_rate=0.9))
    with pytest.raises(ValidationFailed) as refused:        # a rejection must name the problem it duplicates
        act("manager", case, {"decision": "reject", "opinion": "重复。"})
    assert "duplicate_of" in refused.value.errors
    act("manager", case, {"decision": "reject", "duplicate_of": existing["problem_number"], "opinion": "与已有问题重复。"})
    case = db.session.get(type(case), case.id)
    assert (case.status, case.outcome) == ("completed", "rejected_duplicate")
    notes = db.session.execute(select(Notification).where(
        Notification.user_id == user("applicant").id, Notification.instance_id == case.id)).scalars().all()
    assert {n.kind for n in notes} >= {"return", "outcome"}          # returned, then the rejection
    assert db.session.execute(select(QualityProblem).where(QualityProblem.instance_id == case.id)).first() is None


def test_screening_links_related_problems_and_refuses_unknown_numbers(app):
    consortium = make_consortium(A)
    first = register(problem_data(consortium.id))
    case = reported(consortium.id)
    accept = {"decision": "approve", "experts": ",".join(EXPERTS), "opinion": "受理。"}
    with pytest.raises(ValidationFailed) as refused:
        act("manager", case, dict(accept, related_numbers="GZ-IEQ-2099-0001"))
    assert "related_numbers" in refused.value.errors
    assert [r.element_id for r in open_rows(case)] == ["screening"]          # nothing moved
    act("manager", case, dict(accept, related_numbers=first["problem_number"]))
    for name in EXPERTS:
        act(name, case, {"impact": 3, "diffusion": 3, "urgency": 3, "decision": "approve", "opinion": "一般。"})
    act("manager", case, {"decision": "approve"})
    problem = db.session.execute(select(QualityProblem).where(QualityProblem.instance_id == case.id)).scalar_one()
    assert commands.links_of(db.session, problem.id) == [first["problem_id"]]
    assert commands.links_of(db.session, first["problem_id"]) == [problem.id]      # both ways


def test_an_edited_rule_grades_new_reports_and_running_ones_keep_theirs(app):
    consortium = make_consortium(A)
    running = reported(consortium.id)
    dmn = (Path(app.root_path).parent / "rules" / "problem_severity.dmn").read_bytes()
    edited = dmn.replace(b"&gt;= 4.0", b"&gt;= 3.5").replace(b"[2.5..4.0[", b"[2.5..3.5[")
    assert ("problem_report", 2) in deploy.deploy_decision(user("admin"), edited, "problem_severity.dmn")[2]
    fresh = reported(consortium.id)
    for case in (running, fresh):
        scored(case, [(4, 4, 3)] * 3)                       # total 3.7
    assert (data_of(running)["severity"]["grade"], data_of(fresh)["severity"]["grade"]) == ("important", "critical")


def _fire_review(consortia_ids):
    definition = definitions.latest("problem_library_review")
    with command() as ctx:
        started = cases.start_by_timer(ctx, definition, "year_begins", datetime(2027, 1, 4, 1, tzinfo=timezone.utc))
    assert sorted(data_of(c)["consortium_id"] for c in started) == sorted(consortia_ids)
    return started


def test_the_yearly_review_opens_a_case_per_consortium_and_applies_each_outcome(app):
    a, b = make_consortium(A), make_consortium(B)
    ids = {key: register(problem_data(a.id, title=f"问题{key}", impact_score=3, diffusion_score=3,
                                      urgency_score=3))["problem_id"] for key in ("keep", "regrade", "merge", "delist")}
    register(problem_data(b.id))
    review = next(c for c in _fire_review([a.id, b.id]) if data_of(c)["consortium_id"] == a.id)
    rows = open_rows(review, "review_problem")
    assert len(rows) == 4 and all(r.candidate_groups == "managing_body" for r in rows)
    into = db.session.get(QualityProblem, ids["keep"]).number
    outcome = {ids["keep"]: {"review_action": "keep"},
               ids["regrade"]: {"review_action": "regrade", "impact": 5, "diffusion": 4, "urgency": 4},
               ids["merge"]: {"review_action": "merge", "merge_into": into, "opinion": "与保留问题重复。"},
               ids["delist"]: {"review_action": "delist", "opinion": "已不再适用。"}}
    numbers = {db.session.get(QualityProblem, pid).number: pid for pid in ids.values()}
    for row in rows:
        problem_id = numbers[cases.task_data(row)["problem_number"]]      # each instance shows its problem
        tasks.claim(user("manager"), row.id)
        tasks.complete(user("manager"), row.id, dict(outcome[problem_id], decision="approve"))
    regraded = db.session.get(QualityProblem, ids["regrade"])
    assert (regraded.grade, regraded.total_score) == ("critical", Decimal("4.40"))      # through the DMN
    assert db.session.get(QualityProblem, ids["merge"]).status == "merged"
    assert db.session.get(QualityProblem, ids["delist"]).status == "delisted"
    summary = data_of(review)
    assert (summary["summary_regraded"], summary["summary_merged"], summary["summary_delisted"]) == (1, 1, 1)
    assert (summary["summary_open"], summary["summary_critical"], summary["summary_important"]) == (2, 1, 1)
    assert summary["summary_added"] == 4 and summary["summary_technology"] == 2
    assert [r.element_id for r in open_rows(review)] == ["confirm_review"]
    act("manager", review, {"decision": "approve", "opinion": "复核完成。"})
    assert db.session.get(type(review), review.id).status == "completed"
    outcomes = db.session.execute(select(ProblemReviewOutcome.action).where(
        ProblemReviewOutcome.instance_id == review.id)).scalars().all()
    assert sorted(outcomes) == ["delist", "keep", "merge", "regrade"]
    # merged and delisted problems keep their history
    history = db.session.execute(select(ProblemStatusChange.to_status).where(
        ProblemStatusChange.problem_id == ids["merge"]).order_by(ProblemStatusChange.id)).scalars().all()
    assert history == ["identified", "merged"]


def test_a_review_outcome_the_library_refuses_changes_nothing(app):
    a = make_consortium(A)
    pid = register(problem_data(a.id))["problem_id"]
    [review] = _fire_review([a.id])
    [row] = open_rows(review, "review_problem")
    tasks.claim(user("manager"), row.id)
    with pytest.raises(ValidationFailed) as refused:       # merge into a number that does not exist
        tasks.complete(user("manager"), row.id, {"review_action": "merge", "merge_into": "GZ-IEQ-2099-9999",
                                                  "opinion": "重复。", "decision": "approve"})
    assert "GZ-IEQ-2099-9999" in refused.value.message and "merge_into" in refused.value.errors
    assert db.session.get(QualityProblem, pid).status == "identified"
    assert open_rows(review, "review_problem")[0].id == row.id
    assert db.session.execute(select(ProblemReviewOutcome)).first() is None
