"""Terminating a case: open work cancelled, timers and subscriptions gone, the reason kept and told."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Notification, TimerJob
from app.services.errors import Conflict, Forbidden, ValidationFailed
from app.services.operations import suspension, termination
from app.services.workflow import cases, deploy, queries

from .test_suspension__timers import deadline_and_boundary


def test_terminate_cancels_the_work_and_tells_the_initiator(app, user):
    deploy.deploy(user("admin"), deadline_and_boundary("ended"), "ended.bpmn")
    case = cases.start_instance(user("applicant"), "ended")
    with pytest.raises(ValidationFailed) as refused:
        termination.terminate(user("admin"), case.id, "  ")
    assert "reason" in refused.value.errors
    with pytest.raises(Forbidden):
        termination.terminate(user("city"), case.id, "duplicate")

    termination.terminate(user("admin"), case.id, "重复申报")
    assert (case.status, case.end_reason) == ("terminated", "重复申报") and case.ended_at is not None
    assert [t.status for t in db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id)).scalars()] == ["cancelled"]
    assert {j.status for j in db.session.execute(select(TimerJob).where(
        TimerJob.instance_id == case.id)).scalars()} == {"cancelled"}
    assert queries.inbox(user("city")).total == 0
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "instance_terminated")).scalar_one()
    assert event.data["reason"] == "重复申报" and event.actor_id == user("admin").id
    told = db.session.execute(select(Notification).where(
        Notification.user_id == user("applicant").id, Notification.kind == "terminated")).scalar_one()
    assert "重复申报" in told.message
    with pytest.raises(Conflict):
        termination.terminate(user("admin"), case.id, "again")


def test_a_suspended_case_can_be_terminated(app, user):
    deploy.deploy(user("admin"), deadline_and_boundary("halted"), "halted.bpmn")
    case = cases.start_instance(user("applicant"), "halted")
    suspension.suspend(user("admin"), case.id)
    termination.terminate(user("admin"), case.id, "撤销")
    assert case.status == "terminated" and case.suspended_at is None
    with pytest.raises(Conflict):
        suspension.resume(user("admin"), case.id)
