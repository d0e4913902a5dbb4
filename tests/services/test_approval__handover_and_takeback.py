"""Hand-over and take-back on steps with several approvers: one person, one signature; the plan
is the same on every row; the last to act is the last to complete (found in an independent review)."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, Notification
from app.services.command import command
from app.services.errors import Conflict
from app.services.workflow import cases, pages, tasks
from app.services.workflow.approval import case_actions, handover

YES = {"decision": "approve", "opinion": "同意"}


def _open(case):
    db.session.expire_all()
    return db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == "open").order_by(HumanTask.id)).scalars().all()


def _row(case, username):
    return next(r for r in _open(case) if r.assignee and r.assignee.username == username)


def _expert_case(user, open_task, experts="expert1,expert2,expert3"):
    case = cases.start_instance(user("manager"), "expert_review")
    tasks.complete(user("manager"), open_task(case).id, {
        "title": "某质量问题分级评审", "summary": "缺陷率3.2%，高于行业先进水平。", "experts": experts,
        "decision": "approve"})
    return case


def test_a_countersign_is_decided_after_a_transfer(app, user, open_task):
    case = _expert_case(user, open_task)
    handover.transfer(user("expert2"), _row(case, "expert2").id, "expert4")
    for name in ("expert1", "expert4", "expert3"):
        tasks.complete(user(name), _row(case, name).id, YES)
    assert {r.element_id for r in _open(case)} == {"panel_vote"}


def test_a_vote_is_not_handed_to_someone_who_already_votes(app, user, open_task):
    case = _expert_case(user, open_task, "expert1,expert2")
    for name in ("expert1", "expert2"):
        tasks.complete(user(name), _row(case, name).id, YES)
    assert {r.element_id for r in _open(case)} == {"panel_vote"}      # five voters
    with pytest.raises(Conflict):
        handover.transfer(user("expert2"), _row(case, "expert2").id, "expert1")
    with pytest.raises(Conflict):
        handover.delegate(user("expert2"), _row(case, "expert2").id, "expert1")


def test_the_last_to_complete_takes_back_not_the_newest_row(app, user, open_task):
    case = _expert_case(user, open_task)
    for name in ("expert3", "expert2", "expert1"):          # expert1 signs last and decides the step
        tasks.complete(user(name), _row(case, name).id, YES)
    with pytest.raises(Conflict):
        case_actions.take_back(user("expert3"), case.id, "reclaim")
    case_actions.take_back(user("expert1"), case.id, "reclaim")
    assert {r.element_id for r in _open(case)} == {"expert_countersign"}


def test_return_to_an_earlier_step_is_not_offered_where_it_is_refused(app, user, open_task):
    case = _expert_case(user, open_task)
    assert pages.task_page(user("expert1"), _row(case, "expert1").id).return_targets == []


def test_a_broken_schema_rule_is_a_bug_to_see_not_a_conflict(app, user):
    """Only a duplicate key is a race (409); a foreign key that points nowhere is an error that surfaces."""
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError), command(user("admin")) as ctx:
        ctx.session.add(Notification(user_id=987654, kind="x", message="x"))


def test_a_reclaimed_countersign_needs_every_signature_again(app, user, open_task):
    """拿回 reopens the step as a new visit: the signatures of the visit taken back do not count."""
    case = _expert_case(user, open_task)
    for name in ("expert3", "expert2", "expert1"):
        tasks.complete(user(name), _row(case, name).id, YES)
    case_actions.take_back(user("expert1"), case.id, "reclaim")
    tasks.complete(user("expert1"), _row(case, "expert1").id, YES)
    assert {r.element_id for r in _open(case)} == {"expert_countersign"}
    assert {r.assignee.username for r in _open(case)} == {"expert2", "expert3"}
    for name in ("expert2", "expert3"):
        tasks.complete(user(name), _row(case, name).id, YES)
    assert {r.element_id for r in _open(case)} == {"panel_vote"}


def test_the_applicant_does_not_hand_over_their_own_application(app, user, open_task):
    from app.services.errors import Forbidden
    case = cases.start_instance(user("applicant"), "consortium_application")
    mine = open_task(case)
    assert not pages.task_page(user("applicant"), mine.id).may_hand_over
    with pytest.raises(Forbidden):
        handover.transfer(user("applicant"), mine.id, "leader")
    with pytest.raises(Forbidden):
        handover.delegate(user("applicant"), mine.id, "leader")
    assert pages.task_page(user("admin"), mine.id).may_hand_over          # an administrator still may
