"""Each kind of message and signal event, through the services: boundary events (interrupting and
not), event subprocesses started by a message or a timer (interrupting and not), signals broadcast
to waiting cases and signal start events, and message start events."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import TimerJob
from app.models.jobs import JobStatus
from app.services.audit import replay
from app.services.workflow import cases, messages, tasks, timer_firing
from tests.services.message_support import cases_of, deploy_diagram, events, open_row, open_steps, subscribed


def complete(user, instance, element_id, **form):
    tasks.complete(user("city"), open_row(instance, element_id).id, form)


def pending_jobs(case):
    return db.session.execute(select(TimerJob).where(TimerJob.instance_id == case.id,
                                                     TimerJob.status == JobStatus.PENDING)).scalars().all()


def start(user, key):
    deploy_diagram(user("admin"), key)
    return cases.start_instance(user("applicant"), key)


def send(user, instance, name, **variables):
    return messages.correlate(user("admin"), name, business_key=instance.business_key, variables=variables)


def test_an_interrupting_boundary_message_cancels_the_task(app, user):
    case = start(user, "msg_boundary")
    assert subscribed(case) == [("message", "cancel_request", "cancelled"), ("message", "status_query", "queried")]
    send(user, case, "cancel_request", reason="duplicate")
    assert open_steps(case) == ["confirm_cancel"] and subscribed(case) == []
    assert [e.element_id for e in events(case.id, "task_cancelled")] == ["rectify"]
    complete(user, case, "confirm_cancel")
    assert case.status == "completed" and case.outcome == "cancel_done"
    assert replay.reexecute(user("auditor"), case).ok


def test_a_non_interrupting_boundary_message_leaves_the_task_open(app, user):
    case = start(user, "msg_boundary")
    send(user, case, "status_query", question="when?")
    assert open_steps(case) == ["answer_query", "rectify"]
    # SpiffWorkflow 3.2 catches a non-interrupting boundary event once per visit of its task
    assert subscribed(case) == [("message", "cancel_request", "cancelled")]
    complete(user, case, "answer_query")
    complete(user, case, "rectify")
    assert case.status == "completed" and replay.reexecute(user("auditor"), case).ok


def test_an_interrupting_message_event_subprocess_ends_the_main_flow(app, user):
    case = start(user, "msg_event_subprocesses")
    assert ("message", "withdraw", "withdraw_received") in subscribed(case)
    send(user, case, "withdraw")
    assert open_steps(case) == ["close_case"]
    assert pending_jobs(case) == []                                  # the quarterly timer ended too
    assert subscribed(case) == []                                    # and no note can start now
    complete(user, case, "close_case")
    assert case.status == "completed" and case.outcome == "withdrawn"
    assert replay.reexecute(user("auditor"), case).ok


def test_a_non_interrupting_message_event_subprocess_runs_beside_the_main_flow(app, user):
    case = start(user, "msg_event_subprocesses")
    send(user, case, "add_note", note="a")
    send(user, case, "add_note", note="b")          # it may start again while the case runs
    assert open_steps(case) == ["read_note", "read_note", "work"]
    complete(user, case, "work")
    assert case.status == "running"                 # the started notes are still open
    complete(user, case, "read_note")
    complete(user, case, "read_note")
    assert case.status == "completed" and case.outcome == "done"
    assert subscribed(case) == []


def test_a_timer_cycle_event_subprocess_is_a_timer_job_that_fires_once_per_occurrence(app, user):
    case = start(user, "msg_event_subprocesses")
    [job] = db.session.execute(select(TimerJob).where(TimerJob.instance_id == case.id)).scalars().all()
    assert job.element_id == "quarter_begins" and job.status == JobStatus.PENDING
    first_due = job.due_at
    now = datetime.now(timezone.utc)
    assert timedelta(days=85) < first_due - now < timedelta(days=95)          # P3M after the start
    timer_firing.fire_due(at=first_due + timedelta(seconds=1))     # (the shipped diagrams' start timers may fire too)
    timer_firing.fire_due(at=first_due + timedelta(seconds=1))
    assert len(events(case.id, "timer_fired")) == 1                  # exactly once
    assert open_steps(case) == ["report", "work"]
    [job] = pending_jobs(case)                                       # the next quarter
    assert job.element_id == "quarter_begins" and job.due_at > first_due + timedelta(days=80)
    timer_firing.fire_due(at=job.due_at + timedelta(seconds=1))
    assert open_steps(case) == ["report", "report", "work"]
    for _occurrence in (3, 4):
        [job] = pending_jobs(case)
        timer_firing.fire_due(at=job.due_at + timedelta(seconds=1))
    fired = events(case.id, "timer_fired")
    assert [e.element_id for e in fired] == ["quarter_begins"] * 4 and pending_jobs(case) == []   # R4: four
    for _report in range(4):
        complete(user, case, "report")
    complete(user, case, "work")                   # the main flow ends: the quarters end with it
    assert case.status == "completed"
    assert pending_jobs(case) == []
    assert replay.reexecute(user("auditor"), case).ok


def test_an_interrupting_timer_event_subprocess_ends_the_work_at_its_deadline(app, user):
    case = start(user, "msg_deadline")
    [job] = db.session.execute(select(TimerJob).where(TimerJob.instance_id == case.id)).scalars().all()
    timer_firing.fire_due(at=job.due_at + timedelta(seconds=1))
    assert open_steps(case) == ["explain_delay"] and len(events(case.id, "timer_fired")) == 1
    complete(user, case, "explain_delay")
    assert case.status == "completed" and case.outcome == "overdue"
    assert replay.reexecute(user("auditor"), case).ok


def test_a_signal_reaches_every_waiting_case_and_starts_signal_start_processes(app, user):
    admin = user("admin")
    for key in ("sig_waiter", "sig_started", "sig_publisher"):
        deploy_diagram(admin, key)
    waiting = [cases.start_instance(user("applicant"), "sig_waiter") for _ in range(2)]
    publisher = cases.start_instance(user("applicant"), "sig_publisher")
    tasks.complete(user("applicant"), open_row(publisher, "draft_policy").id, {"policy": "v2"})
    assert all(open_steps(case) == ["apply_policy"] for case in waiting)
    [started] = cases_of("sig_started")
    assert open_steps(started) == ["study"]
    [sent] = events(publisher.id, "signal_sent")
    assert sorted(t["instance"] for t in sent.data["targets"]) == sorted([waiting[0].id, waiting[1].id, started.id])
    [received] = events(waiting[0].id, "signal_received")
    assert received.data["variables"] == {"policy": "v2"} and received.data["source"]["instance"] == publisher.id
    # through the API-side command: nobody waits any more, the start process starts again
    reached = messages.broadcast_signal(admin, "policy_changed", {"policy": "v3"})
    assert [c.process_key for c in reached] == ["sig_started"] and len(cases_of("sig_started")) == 2
    assert replay.reexecute(user("auditor"), started).ok


def test_a_message_start_event_starts_a_case_with_the_given_business_key(app, user):
    deploy_diagram(user("admin"), "msg_started")
    [case] = messages.correlate(user("city"), "archive_request", business_key="ARCH-1", variables={"n": 1})
    assert case.business_key == "ARCH-1" and case.process_key == "msg_started" and open_steps(case) == ["file_it"]
    assert [e.type for e in events(case.id)][:2] == ["instance_started", "message_received"]
    assert replay.reexecute(user("auditor"), case).ok
