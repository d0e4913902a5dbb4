"""撤销: the initiator cancels their own running, undecided case with a reason. It ends as an
administrator's termination ends it, by the initiator, audited as `instance_cancelled`, and the holders
of its open tasks hear that the applicant withdrew it."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Notification, TimerJob
from app.services.audit import replay, search
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.operations import cancellation, suspension, termination
from app.services.workflow import cases, deploy, messages, queries, tasks
from tests.services.message_support import cases_of, deploy_diagram, open_row

from .test_suspension__timers import deadline_and_boundary

CLOSED = (b'<bpmn:process id="closed" isExecutable="true" camunda:candidateStarterGroups="applicants">'
          b'<bpmn:extensionElements><camunda:properties><camunda:property name="initiatorMayCancel" value="false" />'
          b'</camunda:properties></bpmn:extensionElements>')


def rows_of(case):
    return db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)
                              .order_by(HumanTask.id)).scalars().all()


def told(username, case):
    return [n.message for n in db.session.execute(select(Notification).where(
        Notification.user_id == username.id, Notification.instance_id == case.id,
        Notification.kind == "withdrawn")).scalars()]


def event_types(case):
    return [e.type for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id).order_by(AuditEvent.seq)).scalars()]


def test_the_initiator_cancels_and_the_case_ends_by_them(app, user):
    deploy.deploy(user("admin"), deadline_and_boundary("cancelled"), "cancelled.bpmn")
    case = cases.start_instance(user("applicant"), "cancelled")
    with pytest.raises(ValidationFailed) as refused:
        cancellation.cancel_own_case(user("applicant"), case.id, "   ")
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        cancellation.cancel_own_case(user("applicant"), case.id, "长" * 501)
    assert "reason" in refused.value.errors
    with pytest.raises(Forbidden):
        cancellation.cancel_own_case(user("city"), case.id, "不是我的")
    with pytest.raises(Forbidden, match="终止"):             # the administrator is pointed to terminate
        cancellation.cancel_own_case(user("admin"), case.id, "管理员")
    with pytest.raises(NotFound):
        cancellation.cancel_own_case(user("applicant"), 999999, "没有这个案件")
    assert case.status == "running" and "instance_cancelled" not in event_types(case)

    cancellation.cancel_own_case(user("applicant"), case.id, "信息填写有误，重新申报")
    assert (case.status, case.outcome, case.end_reason) == ("terminated", "cancelled_by_initiator", "信息填写有误，重新申报")
    assert case.ended_at is not None and [t.status for t in rows_of(case)] == ["cancelled"]
    assert {j.status for j in db.session.execute(select(TimerJob).where(
        TimerJob.instance_id == case.id)).scalars()} == {"cancelled"}
    assert queries.inbox(user("city")).total == 0
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "instance_cancelled")).scalar_one()
    assert event.actor_id == user("applicant").id and event.data["reason"] == "信息填写有误，重新申报"
    assert event.data["cancelled_tasks"] == [rows_of(case)[0].id]
    assert "instance_terminated" not in event_types(case)
    assert event.id in [e.id for e in search.admin_operations(user("auditor")).items]   # the auditors' list
    assert replay.reexecute(user("auditor"), case).ok
    # nobody had claimed the step: its candidates (the city office) hear it, the applicant does not
    assert any("信息填写有误，重新申报" in text and "撤销" in text for text in told(user("city"), case))
    assert len(told(user("city2"), case)) == 1
    assert told(user("applicant"), case) == []
    with pytest.raises(Conflict, match="已结束"):
        cancellation.cancel_own_case(user("applicant"), case.id, "再撤一次")
    with pytest.raises(Conflict):
        termination.terminate(user("admin"), case.id, "已撤销")


def test_a_claimed_task_is_told_to_its_assignee_only(app, user):
    deploy.deploy(user("admin"), deadline_and_boundary("claimed"), "claimed.bpmn")
    case = cases.start_instance(user("applicant"), "claimed")
    [row] = rows_of(case)
    tasks.claim(user("city"), row.id)
    cancellation.cancel_own_case(user("applicant"), case.id, "项目取消")
    assert len(told(user("city"), case)) == 1 and told(user("city2"), case) == []


def test_a_suspended_case_is_not_cancelled_until_it_is_resumed(app, user):
    deploy.deploy(user("admin"), deadline_and_boundary("held"), "held.bpmn")
    case = cases.start_instance(user("applicant"), "held")
    suspension.suspend(user("admin"), case.id, "核查")
    assert not cancellation.may_cancel(user("applicant"), case)
    with pytest.raises(Conflict, match="挂起"):
        cancellation.cancel_own_case(user("applicant"), case.id, "不办了")
    suspension.resume(user("admin"), case.id)
    assert cancellation.may_cancel(user("applicant"), case)
    cancellation.cancel_own_case(user("applicant"), case.id, "不办了")
    assert case.status == "terminated"


def test_a_process_may_keep_its_initiator_from_cancelling(app, user):
    xml = deadline_and_boundary("closed").replace(
        b'<bpmn:process id="closed" isExecutable="true" camunda:candidateStarterGroups="applicants">', CLOSED)
    deploy.deploy(user("admin"), xml, "closed.bpmn")
    case = cases.start_instance(user("applicant"), "closed")
    assert not cancellation.may_cancel(user("applicant"), case)
    with pytest.raises(Forbidden, match="不允许"):
        cancellation.cancel_own_case(user("applicant"), case.id, "不办了")
    assert case.status == "running"
    termination.terminate(user("admin"), case.id, "管理员仍可终止")
    assert case.status == "terminated" and case.outcome == ""


def test_a_case_another_case_started_has_no_applicant_to_cancel_it(app, user):
    """A signal thrown by the applicant's case starts sig_started with them as its initiator: they did
    not apply for it. A message sent by a person (the API) starts a case they may cancel."""
    admin = user("admin")
    for key in ("sig_started", "sig_publisher", "msg_started"):
        deploy_diagram(admin, key)
    publisher = cases.start_instance(user("applicant"), "sig_publisher")
    tasks.complete(user("applicant"), open_row(publisher, "draft_policy").id, {"policy": "v2"})
    [started] = cases_of("sig_started")
    assert started.started_by_id == user("applicant").id
    with pytest.raises(Forbidden, match="另一案件"):
        cancellation.cancel_own_case(user("applicant"), started.id, "不是我申请的")
    [sent] = messages.correlate(user("city"), "archive_request", business_key="ARCH-C1", variables={"n": 1})
    cancellation.cancel_own_case(user("city"), sent.id, "发错了")
    assert sent.status == "terminated"
