"""A failed firing never overwrites a job that another scheduler process fired meanwhile (found in review)."""
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProcessInstance, TimerJob
from app.services.workflow import timer_firing
from tests.problem_support import A, make_consortium


@pytest.mark.parametrize("db_kind", ["postgresql"])   # on SQLite the two processes cannot interleave here
def test_a_failure_leaves_alone_a_job_another_process_fired_meanwhile(app, monkeypatch):
    make_consortium(A)              # the shipped yearly review opens one case per consortium
    job = db.session.execute(select(TimerJob).where(TimerJob.kind == "start_timer", TimerJob.status == "pending")
                             .order_by(TimerJob.due_at)).scalars().first()
    earliest = db.session.execute(select(func.min(TimerJob.due_at)).where(TimerJob.status == "pending")).scalar()
    assert job is not None and earliest == job.due_at
    job_id, due = job.id, job.due_at
    cases_before = db.session.execute(select(func.count()).select_from(ProcessInstance)).scalar()
    db.session.remove()

    real_act, real_failed = timer_firing._act, timer_firing._failed
    calls = {"act": 0}

    def flaky_act(ctx, job, moment):           # process 1: a transient failure
        calls["act"] += 1
        if calls["act"] == 1:
            raise RuntimeError("transient")
        return real_act(ctx, job, moment)

    def failed_after_other_process(ctx, job, moment, exc):
        def other():                            # process 2 claims the (rolled back, pending) job and fires it
            with app.app_context():
                timer_firing.fire_due(limit=1, at=due)
                db.session.remove()
        t = threading.Thread(target=other)
        t.start()
        t.join()
        db.session.refresh(job)
        return real_failed(ctx, job, moment, exc)

    monkeypatch.setattr(timer_firing, "_act", flaky_act)
    monkeypatch.setattr(timer_firing, "_failed", failed_after_other_process)
    timer_firing.fire_due(limit=1, at=due)
    db.session.remove()
    job = db.session.get(TimerJob, job_id)
    cases_after = db.session.execute(select(func.count()).select_from(ProcessInstance)).scalar()
    assert cases_after == cases_before + 1
    # the job was fired by process 2 and now waits for the next year; process 1's bookkeeping must not move it
    assert job.due_at > due and job.attempts == 0, (job.status, job.due_at, job.attempts)
