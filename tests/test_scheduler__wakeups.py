"""The real scheduler: wakes at the next due time, survives a failing wake-up."""
import time

from sqlalchemy import select

from app.extensions import db
from app.models import TimerJob
from app.scheduler import Scheduler
from app.services.workflow import cases, deploy, timer_firing


def _timer_case(app, user, key, duration):
    from tests.services.test_timers__jobs import timer_diagram
    deploy.deploy(user("admin"), timer_diagram(key, duration), f"{key}.bpmn")
    return cases.start_instance(user("applicant"), key)


def _wait_until_fired(instance_id, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.execute(select(TimerJob).where(TimerJob.instance_id == instance_id)).scalar_one()
        if job.status == "done":
            return job
        time.sleep(0.05)
    return job


def test_the_scheduler_fires_at_the_due_time_and_recovers_from_a_failed_wake_up(app, user, monkeypatch):
    case = _timer_case(app, user, "sched_case", "PT1S")
    real_fire_due, calls = timer_firing.fire_due, []

    def flaky(*args, **kwargs):      # the database is busy once: the wake-up fails
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database is locked")
        return real_fire_due(*args, **kwargs)
    monkeypatch.setattr(timer_firing, "fire_due", flaky)
    db.session.commit()
    scheduler = Scheduler(app, recheck_seconds=0.3).start()   # start-up wake-up: nothing due yet
    try:
        job = _wait_until_fired(case.id, 6)
    finally:
        scheduler.shutdown()
    assert job.status == "done" and job.fired == 1 and len(calls) >= 3
