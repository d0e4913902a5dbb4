"""Timer start events: the scheduler starts a new case at each occurrence, exactly once."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, TimerJob
from app.services.audit import trail as audit
from app.services.command import command
from app.services.errors import NotFound
from app.services.workflow import cases as case_service, deploy, tasks, timer_firing, timer_jobs
from app.services.workflow.cases import StartedByTimer

UTC = timezone.utc


def periodic(key, cycle, task_name="季度复核"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="t">
  <bpmn:process id="{key}" isExecutable="true" camunda:candidateStarterGroups="applicants">
    <bpmn:startEvent id="tick" name="定时"><bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="review" />
    <bpmn:userTask id="review" name="{task_name}" camunda:candidateGroups="city_office" camunda:formKey="review_opinion" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>""".encode("utf-8")


def start_jobs(key):
    return db.session.execute(select(TimerJob).join(ProcessDefinition, ProcessDefinition.id == TimerJob.definition_id)
                              .where(TimerJob.kind == "start_timer", ProcessDefinition.key == key)
                              .order_by(TimerJob.id)).scalars().all()


def cases(key):
    return db.session.execute(select(ProcessInstance).where(ProcessInstance.process_key == key)
                              .order_by(ProcessInstance.id)).scalars().all()


@pytest.fixture
def clock(app):
    """A controllable service clock: clock.now is what timer_jobs.now() returns."""
    class Clock:
        now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    app.config["TIMER_CLOCK"] = lambda: Clock.now
    yield Clock
    app.config.pop("TIMER_CLOCK", None)


def test_each_occurrence_starts_one_case_until_the_repetitions_end(app, user, clock):
    deploy.deploy(user("admin"), periodic("quarterly", "R3/2026-12-01T09:00:00+08:00/P1D"), "quarterly.bpmn")
    [job] = start_jobs("quarterly")
    assert job.status == "pending" and job.due_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert timer_firing.fire_due(at=datetime(2026, 11, 30, tzinfo=UTC)) == 0          # not due yet

    for day in (1, 2, 3):
        moment = datetime(2026, 12, day, 1, 0, 1, tzinfo=UTC)
        assert timer_firing.fire_due(at=moment) == 1
        assert timer_firing.fire_due(at=moment) == 0                                     # exactly once
        assert len(cases("quarterly")) == day
    assert job.status == "done" and timer_firing.fire_due(at=datetime(2027, 1, 1, tzinfo=UTC)) == 0

    first = cases("quarterly")[0]
    assert first.started_by_id is None and first.status == "running" and first.business_key
    [task] = db.session.execute(select(HumanTask).where(HumanTask.instance_id == first.id)).scalars().all()
    assert task.element_id == "review" and task.candidate_groups == "city_office"
    assert first.title.endswith(" 2026-12-01") and task.instance_title == first.title   # named by its day
    started = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == first.id, AuditEvent.type == "instance_started")).scalar_one()
    assert started.actor_name == "system" and started.data["timer"] == "tick"
    assert started.data["due_at"].startswith("2026-12-01T01:00:00")

    tasks.claim(user("city"), task.id)                 # a timer-started case is worked like any other
    tasks.complete(user("city"), task.id, {"decision": "approve", "opinion": "已复核。"})
    db.session.refresh(first)
    assert (first.status, first.outcome) == ("completed", "done")
    assert all(report.ok for report in audit.verify_all())


def test_nobody_starts_a_timer_process_by_hand(app, user, client, login):
    deploy.deploy(user("admin"), periodic("by_timer", "R/PT1H"), "by_timer.bpmn")
    with pytest.raises(StartedByTimer):
        case_service.start_instance(user("applicant"), "by_timer")
    login(client, "applicant")
    page = client.get("/processes").get_data(as_text=True)
    assert "定时启动" in page or "Started by its timer" in page
    assert 'data-start="by_timer"' not in page
    assert client.post("/processes/by_timer/start").status_code == 409
    api = client.post("/api/v1/instances", json={"process_key": "by_timer"})
    assert api.status_code == 409 and "定时器" in api.get_json()["message"]      # the UI language is Chinese by default
    assert cases("by_timer") == []


def test_a_new_version_replaces_the_schedule_of_the_old_one(app, user, clock):
    deploy.deploy(user("admin"), periodic("replaced", "R/2026-12-01T00:00:00Z/P1D"), "replaced.bpmn")
    [old] = start_jobs("replaced")
    deploy.deploy(user("admin"), periodic("replaced", "R/2026-12-01T12:00:00Z/P1D", "新复核"), "replaced.bpmn")
    db.session.refresh(old)
    new = [j for j in start_jobs("replaced") if j.id != old.id]
    assert old.status == "cancelled" and [j.status for j in new] == ["pending"]
    assert new[0].due_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert timer_firing.fire_due(at=datetime(2026, 12, 1, 13, 0, tzinfo=UTC)) == 1
    [case] = cases("replaced")
    assert case.definition.version == 2 and "新复核" in case.current_steps
    # the same content deployed again is the same version: the schedule is untouched
    deploy.deploy(user("admin"), periodic("replaced", "R/2026-12-01T12:00:00Z/P1D", "新复核"), "replaced.bpmn")
    assert [j.status for j in start_jobs("replaced") if j.id != old.id] == ["pending"]


def test_after_downtime_one_case_starts_and_the_cycle_goes_on_from_now(app, user, clock):
    deploy.deploy(user("admin"), periodic("hourly", "R/2026-11-25T09:00:00Z/PT1H"), "hourly.bpmn")
    [job] = start_jobs("hourly")
    assert job.due_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    back_up = datetime(2026, 11, 25, 14, 20, tzinfo=UTC)           # down from 08:30 to 14:20: five missed
    assert timer_firing.fire_due(at=back_up) == 1 and timer_firing.fire_due(at=back_up) == 0
    assert len(cases("hourly")) == 1
    assert job.status == "pending" and job.due_at == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_the_shipped_problem_library_review_is_scheduled_yearly(app, user):
    [job] = start_jobs("problem_library_review")
    assert job.status == "pending" and job.element_id == "year_begins"
    due = job.due_at.astimezone(timezone(timedelta(hours=8)))
    assert (due.month, due.day, due.hour) == (1, 4, 9)
    assert timer_jobs.now() < job.due_at <= timer_jobs.now() + timedelta(days=366)


def test_a_replaced_versions_parked_or_in_flight_start_job_starts_nothing(app, user, clock, monkeypatch):
    deploy.deploy(user("admin"), periodic("parked", "R/2026-12-01T00:00:00Z/P1D"), "parked.bpmn")
    [old] = start_jobs("parked")
    monkeypatch.setattr(timer_firing, "start_by_timer", lambda *args: 1 / 0)        # v1 cannot start its cases
    moment = datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)
    while old.status != "incident":
        assert timer_firing.fire_due(at=moment) == 1
        db.session.refresh(old)
        moment += timedelta(minutes=1)
    monkeypatch.undo()
    deploy.deploy(user("admin"), periodic("parked", "R/2026-12-01T12:00:00Z/P1D", "修好了"), "parked.bpmn")
    db.session.refresh(old)
    assert old.status == "cancelled"                           # an administrator's retry cannot revive it
    with pytest.raises(NotFound):
        timer_firing.retry_incident(user("admin"), old.id)

    # a v1 job another process had already claimed when v2 was deployed: it fires, but starts nothing
    with command():
        db.session.get(TimerJob, old.id).status = "pending"
    assert timer_firing.fire_due(at=datetime(2026, 12, 1, 11, 0, tzinfo=UTC)) == 1
    db.session.refresh(old)
    assert cases("parked") == [] and old.status == "done"
    assert [j.status for j in start_jobs("parked") if j.id != old.id] == ["pending"]


def test_start_up_schedules_a_timer_start_deployed_before_start_jobs_existed(app, user, clock):
    """A version deployed by an older ChainQ has no start job: the start-up deploy schedules it once."""
    deploy.deploy(user("admin"), periodic("legacy", "R/2026-12-01T00:00:00Z/P1D"), "legacy.bpmn")
    with command():
        for job in start_jobs("legacy"):
            db.session.delete(job)                          # as an older release left it
    deploy.deploy_folder()
    deploy.deploy_folder()                             # idempotent: once, not at every start
    assert [j.status for j in start_jobs("legacy")] == ["pending"]


def test_a_start_retried_after_a_failure_records_its_occurrence_not_the_retry(app, user, clock, monkeypatch):
    deploy.deploy(user("admin"), periodic("retried", "R/2026-12-01T00:00:00Z/P1D"), "retried.bpmn")
    [job] = start_jobs("retried")
    real = case_service.start_by_timer
    monkeypatch.setattr(timer_firing, "start_by_timer", lambda *args: 1 / 0)
    assert timer_firing.fire_due(at=datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)) == 1      # fails: retried in 2 s
    db.session.refresh(job)
    assert job.status == "pending" and job.due_at > datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)
    monkeypatch.setattr(timer_firing, "start_by_timer", real)
    assert timer_firing.fire_due(at=datetime(2026, 12, 1, 0, 1, tzinfo=UTC)) == 1
    [case] = cases("retried")
    started = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "instance_started")).scalar_one()
    assert started.data["due_at"].startswith("2026-12-01T00:00:00")
    db.session.refresh(job)
    assert job.due_at == datetime(2026, 12, 2, tzinfo=UTC)
