"""Auditors replay a case step by step, re-execute it, and anchors catch deleted cases."""
import pytest
from sqlalchemy import text

from app.extensions import db
from app.services.audit import replay, trail as audit
from app.services.errors import Forbidden
from app.services.workflow import cases, tasks

APPROVE = {"decision": "approve", "opinion": "同意"}


def _act(actor, task, data):
    if task.assignee_id is None:
        tasks.claim(actor, task.id)
    tasks.complete(actor, task.id, data)


@pytest.fixture
def returned_then_approved(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    form = application_form("baiyun")
    _act(applicant, open_task(instance), form)
    _act(user("leader"), open_task(instance), APPROVE)
    _act(user("district_baiyun"), open_task(instance), {"decision": "return", "opinion": "补充材料"})
    form["goals"] = form["goals"] + "（已补充）"
    _act(applicant, open_task(instance), form)
    _act(user("leader"), open_task(instance), APPROVE)
    _act(user("district_baiyun"), open_task(instance), APPROVE)
    _act(user("city"), open_task(instance), APPROVE)
    return instance


def _index(steps, predicate):
    return next(i for i, s in enumerate(steps, start=1) if predicate(s))


def test_each_step_shows_tokens_completed_steps_and_data(returned_then_approved, user):
    auditor = user("auditor")
    steps = replay.steps_of(returned_then_approved)
    first_review = _index(steps, lambda s: s.type == "task_created" and s.element_id == "district_review")
    state, total = replay.step(auditor, returned_then_approved, first_review)
    assert total == len(steps) and state.active == ["district_review"]
    assert {"fill_application", "lead_unit_opinion", "lead_unit_decision"} <= set(state.completed)
    assert "city_review" not in state.completed and state.data["district"] == "baiyun"

    returned = _index(steps, lambda s: s.type == "task_completed" and s.event_data.get("decision") == "return")
    state, _ = replay.step(auditor, returned_then_approved, returned)
    assert state.active == [] and state.event_data["opinion"] == "补充材料"
    assert ("decision", "approve", "return") in state.changes

    resubmitted = _index(steps, lambda s: s.type == "task_completed" and s.element_id == "fill_application"
                         and s.seq > state.seq)
    state, _ = replay.step(auditor, returned_then_approved, resubmitted)
    assert [c[0] for c in state.changes if c[0] == "goals"] == ["goals"]

    last, _ = replay.step(auditor, returned_then_approved, 10_000)   # clamped to the end
    assert last.type == "instance_completed" and "approved" in last.completed and last.active == []


def test_reexecution_reproduces_finished_and_running_cases(returned_then_approved, app, user, open_task,
                                                           application_form):
    assert replay.reexecute(user("auditor"), returned_then_approved).ok
    running = cases.start_instance(user("applicant2"), "consortium_application")
    _act(user("applicant2"), open_task(running), application_form("panyu"))
    report = replay.reexecute(user("auditor"), running)
    assert report.ok and report.events_checked == len(audit.events_of(running.id))


def test_an_altered_decision_is_found_by_reexecution(returned_then_approved, user):
    steps = replay.steps_of(returned_then_approved)
    returned = next(s for s in steps if s.event_data.get("decision") == "return")
    form = dict(returned.event_data["form"], decision="approve")
    db.session.execute(text("UPDATE audit_event SET data = :d WHERE id = :id"),
                       {"d": __import__("json").dumps(dict(returned.event_data, form=form)), "id": returned.event_id})
    db.session.commit()
    db.session.expire_all()
    report = replay.reexecute(user("auditor"), returned_then_approved)
    assert not report.ok and report.diverging_seq == returned.seq
    assert not audit.verify_chain(audit.chain_of(returned_then_approved.id)).ok


def test_deleting_a_whole_case_is_caught_by_the_daily_anchor(returned_then_approved, user):
    assert replay.anchor_today() is not None
    assert replay.anchor_today() is None                          # one anchor a day
    assert audit.verify_anchors().ok
    chain = audit.chain_of(returned_then_approved.id)
    db.session.execute(text("DELETE FROM audit_event WHERE chain = :c"), {"c": chain})
    db.session.commit()
    assert all(r.ok for r in audit.verify_all())                  # no chain is broken: the case is simply gone
    report = audit.verify_anchors()
    assert not report.ok and report.chain == chain and "gone" in report.reason


def test_only_auditors_replay(returned_then_approved, user):
    with pytest.raises(Forbidden):
        replay.step(user("district_baiyun"), returned_then_approved, 1)
    with pytest.raises(Forbidden):
        replay.reexecute(user("applicant"), returned_then_approved)
