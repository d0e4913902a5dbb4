"""The real scheduler: wakes at the next due time, survives a failing wake-up."""
import time
from datetime import datetime, timezone

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
    due_at = db.session.execute(select(TimerJob.due_at).where(TimerJob.instance_id == case.id)).scalar_one()
    real_fire_due, calls, failed = timer_firing.fire_due, [], []

    def flaky(*args, **kwargs):      # the database is busy at the first wake-up after the due time
        calls.append(datetime.now(timezone.utc))
        if not failed and calls[-1] >= due_at:
            failed.append(calls[-1])
            raise RuntimeError("database is locked")
        return real_fire_due(*args, **kwargs)
    monkeypatch.setattr(timer_firing, "fire_due", flaky)
    db.session.commit()
    scheduler = Scheduler(app, recheck_seconds=0.3).start()
    try:
        job = _wait_until_fired(case.id, 6)
    finally:
        scheduler.shutdown()
    # however late the start-up wake-up comes on a loaded machine, the failed one is followed by one that fires
    assert failed and job.status == "done" and job.fired == 1 and job.fired_at >= failed[0]
