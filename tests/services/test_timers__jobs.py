"""Timers: BPMN timer events and step deadlines fire exactly once, on time, with retries."""
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Notification, ProcessInstance, TimerJob
from app.services.command import command
from app.services.errors import Forbidden
from app.services.workflow import cases, deploy, tasks, timer_firing

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def timer_diagram(key, duration="PT1H"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:timerEventDefinition><bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="review" />
    <bpmn:userTask id="review" name="复核" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


def deadline_diagram(key, props, due="PT2H"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" camunda:dueDate="{due}">
      <bpmn:extensionElements><camunda:properties>{props}</camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="approved"><bpmn:conditionExpression>decision == 'approve'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="rejected"><bpmn:conditionExpression>decision != 'approve'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="approved" /><bpmn:endEvent id="rejected" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


def later(**kwargs):
    return datetime.now(timezone.utc) + timedelta(**kwargs)


def jobs(instance, **where):
    query = select(TimerJob).where(TimerJob.instance_id == instance.id)
    for key, value in where.items():
        query = query.where(getattr(TimerJob, key) == value)
    return db.session.execute(query).scalars().all()


def test_a_bpmn_timer_is_a_job_that_fires_once_when_due(app, user):
    deploy.deploy(user("admin"), timer_diagram("timer_case"), "timer_case.bpmn")
    case = cases.start_instance(user("applicant"), "timer_case")
    [job] = jobs(case)
    assert job.kind == "bpmn_timer" and job.status == "pending"
    assert later(minutes=59) < job.due_at < later(minutes=61) and case.next_timer_due == job.due_at
    assert timer_firing.fire_due(at=later(minutes=30)) == 0            # not due yet
    assert timer_firing.fire_due(at=later(hours=2)) == 1
    assert timer_firing.fire_due(at=later(hours=2)) == 0               # exactly once
    db.session.refresh(case)
    [task] = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalars().all()
    assert task.element_id == "review" and case.next_timer_due is None
    assert [e.type for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "timer_fired")).scalars()] == ["timer_fired"]


def test_bare_modeler_durations_and_restart_catch_up(app, user):
    """A timer that fell due while nothing ran fires at the next wake-up (start-up catch-up)."""
    deploy.deploy(user("admin"), timer_diagram("catch_up", "PT1S"), "catch_up.bpmn")
    case = cases.start_instance(user("applicant"), "catch_up")
    time.sleep(1.1)
    assert timer_firing.fire_due() == 1
    db.session.refresh(case)
    assert "复核" in case.current_steps


@pytest.mark.parametrize("props, check", [
    ('<camunda:property name="timeoutPolicy" value="remind" /><camunda:property name="remindEvery" value="PT1H" />'
     '<camunda:property name="remindTimes" value="3" />', "remind"),
    ('<camunda:property name="timeoutPolicy" value="auto_approve" />', "approved"),
    ('<camunda:property name="timeoutPolicy" value="auto_reject" />', "rejected"),
    ('<camunda:property name="timeoutPolicy" value="escalate" /><camunda:property name="escalateTo" value="admins" />',
     "escalate"),
])
def test_timeout_policies(app, user, props, check):
    key = f"due_{check}"
    deploy.deploy(user("admin"), deadline_diagram(key, props), f"{key}.bpmn")
    case = cases.start_instance(user("applicant"), key)
    [job] = jobs(case, kind="task_due")
    assert timer_firing.fire_due(at=later(hours=1)) == 0
    assert timer_firing.fire_due(at=later(hours=3)) == 1
    db.session.refresh(case)
    if check == "remind":
        assert db.session.execute(select(func.count()).select_from(Notification).where(
            Notification.kind == "reminder")).scalar() == 2                       # city and city2: the office
        assert timer_firing.fire_due(at=later(hours=3, minutes=30)) == 0              # next reminder in an hour
        assert timer_firing.fire_due(at=later(hours=10)) == 1
        assert timer_firing.fire_due(at=later(hours=20)) == 1
        assert timer_firing.fire_due(at=later(hours=30)) == 0                          # three times in all
    elif check in ("approved", "rejected"):
        assert case.outcome == check
        completed = db.session.execute(select(AuditEvent).where(
            AuditEvent.instance_id == case.id, AuditEvent.type == "task_completed")).scalars().all()
        assert completed[-1].data["form"]["timeout"] is True
    else:
        task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalar_one()
        assert "admins" in task.candidate_groups.split(",")
        assert db.session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.type == "task_escalated")).scalar() == 1


def test_a_completed_task_cancels_its_deadline(app, user):
    props = '<camunda:property name="timeoutPolicy" value="auto_reject" />'
    deploy.deploy(user("admin"), deadline_diagram("due_done", props), "due_done.bpmn")
    case = cases.start_instance(user("applicant"), "due_done")
    task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalar_one()
    tasks.claim(user("city"), task.id)
    tasks.complete(user("city"), task.id, {"decision": "approve", "opinion": "同意"})
    assert [j.status for j in jobs(case)] == ["cancelled"]
    assert timer_firing.fire_due(at=later(days=1)) == 0


def test_due_dates_in_working_days_skip_weekends_and_holidays(app, user):
    from app.engine.deadlines import due_at
    from app.services.workflow import calendar
    calendar.set_day(user("admin"), "2026-10-01", "国庆节")
    calendar.set_day(user("admin"), "2026-10-10", "调休上班", working=True)      # a Saturday worked
    friday = datetime(2026, 9, 25, 9, 0, tzinfo=timezone.utc)
    assert due_at("P3D", {}, friday, True, calendar.is_working_day).date().isoformat() == "2026-09-30"
    assert due_at("P4D", {}, friday, True, calendar.is_working_day).date().isoformat() == "2026-10-02"
    saturday_before = datetime(2026, 10, 9, 9, 0, tzinfo=timezone.utc)
    assert due_at("P1D", {}, saturday_before, True, calendar.is_working_day).date().isoformat() == "2026-10-10"
    with pytest.raises(Forbidden):
        calendar.set_day(user("city"), "2026-10-02")


def test_a_step_due_in_working_days_skips_the_calendars_holidays_when_it_opens(app, user):
    """The inbox row's due date counts the administrators' calendar, read once per command."""
    from app.services.workflow import calendar
    friday = datetime(2026, 9, 25, 9, 0, tzinfo=timezone.utc)
    app.config["TIMER_CLOCK"] = lambda: friday
    calendar.set_day(user("admin"), "2026-09-29", "假日")               # the Tuesday after
    props = '<camunda:property name="dueInWorkingDays" value="true" />'
    deploy.deploy(user("admin"), deadline_diagram("due_working", props, due="P3D"), "due_working.bpmn")
    case = cases.start_instance(user("applicant"), "due_working")
    task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalar_one()
    assert task.due_at.date().isoformat() == "2026-10-01"            # Mon 28, (Tue 29 off), Wed 30, Thu 1
    with command() as ctx:
        rule = calendar.working_days_of(ctx)
        assert [rule(date(2026, 9, d)) for d in (28, 29, 26)] == [True, False, False]
        assert calendar.working_days_of(ctx) is rule


def test_a_failing_timer_is_retried_then_parked_and_can_be_retried(app, user, monkeypatch):
    deploy.deploy(user("admin"), timer_diagram("fails"), "fails.bpmn")
    case = cases.start_instance(user("applicant"), "fails")

    def broken(ctx, job, instance):
        raise RuntimeError("mail server down")
    monkeypatch.setattr(timer_firing, "_fire_bpmn_timer", broken)
    moment = later(hours=2)
    for attempt in range(1, timer_firing.MAX_ATTEMPTS + 1):
        assert timer_firing.fire_due(at=moment) == 1
        [job] = jobs(case)
        assert job.attempts == attempt and "mail server down" in job.last_error
        moment += timedelta(seconds=2 ** attempt + 1)            # backoff: 2, 4, 8 … seconds
    assert job.status == "incident" and timer_firing.incidents(user("admin")) == [job]
    monkeypatch.undo()
    timer_firing.retry_incident(user("admin"), job.id)
    assert timer_firing.fire_due(at=later(hours=3)) == 1
    db.session.refresh(case)
    assert "复核" in case.current_steps


@pytest.fixture
def pg_app(tmp_path):
    """The app on PostgreSQL only: two processes racing for row locks is PostgreSQL's case."""
    from tests.support import database_url, make_app, reset_database
    app = make_app(database_url("postgresql", tmp_path), tmp_path)
    with app.app_context():
        reset_database()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres_only
def test_two_scheduler_processes_fire_a_thousand_timers_exactly_once(pg_app, user):
    app = pg_app
    deploy.deploy(user("admin"), timer_diagram("many", "PT3S"), "many.bpmn")
    applicant = user("applicant")
    started = time.monotonic()
    for _ in range(1000):
        cases.start_instance(applicant, "many")
    db.session.remove()
    time.sleep(max(0.0, 3.2 - (time.monotonic() - started)))
    env = dict(os.environ, CHAINQ_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], CHAINQ_DEPLOY_ON_START="0",
               CHAINQ_SCHEDULER_IN_APP="0", FLASK_APP="wsgi")
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "fire-timers"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=300) for w in workers]
    counts = [int(out.strip().split()[0]) for out, _err in outputs]
    assert sum(counts) == 1000 and all(c > 0 for c in counts), (counts, [e[-500:] for _o, e in outputs])
    assert db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.type == "timer_fired")).scalar() == 1000
    assert db.session.execute(select(func.count()).select_from(TimerJob).where(
        TimerJob.status == "done", TimerJob.fired == 1)).scalar() == 1000
    assert db.session.execute(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.current_steps.like("%复核%"))).scalar() == 1000


def test_a_boundary_timer_interrupts_the_waiting_step(app, user):
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_b" targetNamespace="t">
  <bpmn:process id="boundary_case" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="\xe5\xae\xa1\xe6\xa0\xb8" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:boundaryEvent id="too_late" name="\xe8\xb6\x85\xe6\x97\xb6" attachedToRef="review" cancelActivity="true">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="too_late" targetRef="timed_out" />
    <bpmn:endEvent id="done" /><bpmn:endEvent id="timed_out" />
  </bpmn:process>
</bpmn:definitions>"""
    deploy.deploy(user("admin"), xml, "boundary_case.bpmn")
    case = cases.start_instance(user("applicant"), "boundary_case")
    [job] = jobs(case)
    assert job.element_id == "too_late" and later(days=2) < job.due_at < later(days=4)
    assert timer_firing.fire_due(at=later(days=4)) == 1
    db.session.refresh(case)
    assert (case.status, case.outcome) == ("completed", "timed_out")
    task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalar_one()
    assert task.status == "cancelled"


def test_a_non_interrupting_cycle_timer_fires_each_time_while_the_step_waits(app, user):
    """BPMN: a non-interrupting boundary timer with R2/PT1H takes the side path twice; the step stays."""
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_n" targetNamespace="t">
  <bpmn:process id="nudge_case" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:boundaryEvent id="nudge" name="每小时提醒" attachedToRef="review" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="nudge" targetRef="nudged" />
    <bpmn:endEvent id="done" /><bpmn:endEvent id="nudged" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")
    deploy.deploy(user("admin"), xml, "nudge_case.bpmn")
    case = cases.start_instance(user("applicant"), "nudge_case")
    [first] = jobs(case, status="pending")
    assert first.element_id == "nudge" and later(minutes=59) < first.due_at < later(minutes=61)
    assert timer_firing.fire_due(at=later(minutes=61)) == 1
    [second] = jobs(case, status="pending")                        # the cycle's next occurrence
    assert later(minutes=119) < second.due_at < later(minutes=122)
    assert timer_firing.fire_due(at=later(minutes=125)) == 1
    assert jobs(case, status="pending") == []                      # R2: twice, then done
    assert timer_firing.fire_due(at=later(hours=10)) == 0
    db.session.refresh(case)
    assert case.status == "running" and "审核" in case.current_steps   # the step itself is still waiting
    fired = db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "timer_fired")).scalar()
    assert fired == 2
    task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalar_one()
    tasks.claim(user("city"), task.id)
    tasks.complete(user("city"), task.id, {"decision": "approve", "opinion": "好"})
    db.session.refresh(case)
    assert (case.status, case.outcome) == ("completed", "done")
