"""Suspend and resume: a suspended case leaves the inboxes, cannot be acted on, and its timers keep
exactly the time they had left."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, TimerJob
from app.services.errors import Conflict, Forbidden
from app.services.operations import suspension
from app.services.workflow import cases, deploy, queries, tasks, timer_firing


def deadline_and_boundary(key):
    """A review step due in 3 days (a reminder then) with a 3-day boundary timer that moves the case on."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" camunda:dueDate="P3D">
      <bpmn:extensionElements><camunda:properties><camunda:property name="timeoutPolicy" value="remind" /></camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="too_late" name="超时" attachedToRef="review"><bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="too_late" targetRef="escalated" />
    <bpmn:userTask id="escalated" name="督办" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:sequenceFlow id="f3" sourceRef="escalated" targetRef="done" />
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_timers_keep_their_remaining_time_across_a_suspension(app, user, clock):
    deploy.deploy(user("admin"), deadline_and_boundary("paused"), "paused.bpmn")
    start = clock.now
    case = cases.start_instance(user("applicant"), "paused")
    [review] = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalars().all()
    assert review.due_at == start + timedelta(days=3)

    clock.now = start + timedelta(days=1)
    suspension.suspend(user("admin"), case.id, "waiting for a court ruling")
    assert case.status == "suspended"
    assert queries.inbox(user("city")).total == 0                    # out of every inbox
    with pytest.raises(Conflict, match="挂起"):
        tasks.claim(user("city"), review.id)
    with pytest.raises(Conflict, match="挂起"):
        tasks.complete(user("city"), review.id, {"decision": "approve", "opinion": "同意"})

    clock.now = start + timedelta(days=11)
    assert timer_firing.fire_due(at=clock.now) == 0                  # nothing fires while suspended
    suspension.resume(user("admin"), case.id)
    assert case.status == "running" and queries.inbox(user("city")).total == 1
    resumed = clock.now

    # each timer had 2 days left at the suspension: due 2 days after the resumption, not before
    db.session.refresh(review)
    assert review.due_at == resumed + timedelta(days=2)
    assert timer_firing.fire_due(at=resumed + timedelta(days=2) - timedelta(seconds=1)) == 0
    assert timer_firing.fire_due(at=resumed + timedelta(days=2, seconds=1)) == 2     # the deadline and the boundary
    timer_firing.fire_due(at=resumed + timedelta(days=5))
    fired = db.session.execute(select(TimerJob.kind, TimerJob.fired).where(TimerJob.instance_id == case.id)
                               .order_by(TimerJob.kind)).all()
    assert [tuple(row) for row in fired] == [("bpmn_timer", 1), ("task_due", 1)]     # each once
    events = [e.type for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id).order_by(AuditEvent.seq)).scalars()]
    assert events.count("task_timed_out") == 1 and events.count("timer_fired") == 1
    assert "instance_suspended" in events and "instance_resumed" in events
    db.session.refresh(case)
    assert "督办" in case.current_steps
    assert count(TimerJob, TimerJob.instance_id == case.id, TimerJob.status.in_(("pending", "suspended"))) == 0


def test_only_administrators_suspend_and_only_a_running_case(app, user):
    deploy.deploy(user("admin"), deadline_and_boundary("guarded"), "guarded.bpmn")
    case = cases.start_instance(user("applicant"), "guarded")
    with pytest.raises(Forbidden):
        suspension.suspend(user("city"), case.id)
    with pytest.raises(Conflict):
        suspension.resume(user("admin"), case.id)                    # not suspended
    suspension.suspend(user("admin"), case.id)
    with pytest.raises(Conflict):
        suspension.suspend(user("admin"), case.id)                   # already suspended
    assert db.session.execute(select(AuditEvent.type).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "instance_suspended")).scalars().all() == [
        "instance_suspended"]
