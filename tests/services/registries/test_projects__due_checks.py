"""Due checks fire at the exact moment, exactly once, never by polling (5.5.4d): the quarterly
report's due job opens report_missing and leaves the task open, the report closes it; a
milestone's job opens milestone_overdue at the end of its day unless it was reported done."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, RiskAlert, TimerJob
from app.services.command import command
from app.services.notify import notifications
from app.services.registries.projects import due_checks
from app.services.workflow import cases, timer_firing
from tests.problem_support import act, open_rows, user
from tests.project_lifecycle_support import ONE_SECOND, book, pending_jobs, project_in_execution, project_of, steps

UTC = timezone.utc


@pytest.fixture
def clock(app):
    """The service clock (timer_jobs.now): due times of new tasks are counted from it."""
    class Clock:
        now = datetime.now(UTC)
    app.config["TIMER_CLOCK"] = lambda: Clock.now
    yield Clock
    app.config.pop("TIMER_CLOCK", None)


def alerts(project, rule=None):
    query = select(RiskAlert).where(RiskAlert.project_id == project.id)
    if rule:
        query = query.where(RiskAlert.rule == rule)
    return db.session.execute(query.order_by(RiskAlert.id)).scalars().all()


def open_first_report(case, clock):
    [timer] = [j for j in pending_jobs("bpmn_timer", case) if j.element_id == "quarter_ends"]
    clock.now = timer.due_at
    assert timer_firing.fire_due(at=clock.now) == 1
    [row] = open_rows(case, "quarterly_report")
    return row


def test_a_missed_report_alerts_at_the_exact_due_moment_once_and_closes_when_it_arrives(app, clock):
    case, _ids = project_in_execution()
    row = open_first_report(case, clock)
    [job] = [j for j in pending_jobs("task_due", case) if j.task_id == row.id]
    assert job.due_at == row.due_at and job.policy == {"action": "alert", "rule": "report_missing"}
    # ten working days after the quarter: never before the moment
    assert (row.due_at - clock.now) >= timedelta(days=10)
    timer_firing.fire_due(at=row.due_at - ONE_SECOND)      # (other cases' jobs may fire meanwhile)
    project = project_of(case)
    assert alerts(project) == [] and db.session.get(TimerJob, job.id).status == "pending"
    timer_firing.fire_due(at=row.due_at)
    [alert] = alerts(project)
    assert (alert.rule, alert.severity, alert.status, alert.opened_at) == ("report_missing", "medium", "open", row.due_at)
    assert alert.subject == cases.task_data(row)["report_quarter"]
    assert project_of(case).risk_level == "medium"
    assert "quarterly_report" in steps(case)                      # the task stays open
    timer_firing.fire_due(at=row.due_at + timedelta(days=3))
    job = db.session.get(TimerJob, job.id)
    assert (job.status, job.fired) == ("done", 1) and len(alerts(project)) == 1    # exactly once
    told = db.session.execute(select(Notification).where(Notification.kind == "risk_alert")).scalars().all()
    assert {user("applicant").id, user("leader").id, user("manager").id} <= {n.user_id for n in told}
    assert alert.message == f"{alert.subject} 季度进展报告逾期未报。"          # kept in the default language
    with force_locale("en"):                                                   # each reader in their own
        assert notifications.text_of(told[0]) == (f"Risk alert (medium) on {project.number}: "
                                                  f"The progress report of {alert.subject} is overdue.")
    act("applicant", case, {"report_summary": "迟报。", "decision": "approve"})
    [alert] = alerts(project)
    assert (alert.status, alert.open_key, project_of(case).risk_level) == ("closed", None, "")
    assert [e.action for e in alert.events] == ["opened", "closed"]


def test_a_due_check_that_runs_twice_or_concurrently_leaves_one_alert(app, clock):
    case, _ids = project_in_execution()
    row = open_first_report(case, clock)
    instance_id, task_id = case.id, row.id

    def fire():
        with app.app_context():
            try:
                with command() as ctx:
                    instance = db.session.get(type(case), instance_id)
                    task = db.session.get(type(row), task_id)
                    due_checks.report_missing(ctx, instance, task, row.due_at, {"report_quarter": "2099Q1"})
            except Exception as exc:          # the loser of a race: a duplicate key, a conflict
                errors.append(exc)
            finally:
                db.session.remove()

    errors = []
    threads = [threading.Thread(target=fire) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fire()
    assert len(alerts(project_of(case), "report_missing")) == 1


def test_a_milestone_not_done_alerts_at_the_end_of_its_day_and_a_done_one_does_not(app, clock):
    case, _ids = project_in_execution()
    jobs = pending_jobs("milestone_due", case)
    assert [j.policy["milestone"] for j in jobs] == ["M1", "M2"]
    first = jobs[0]
    # the end of the milestone's day in Guangzhou: 16:00 UTC of that day
    assert first.due_at == datetime.fromisoformat(first.policy["due"] + "T16:00:00+00:00")
    timer_firing.fire_due(at=first.due_at - ONE_SECOND)
    project = project_of(case)
    assert alerts(project, "milestone_overdue") == []
    timer_firing.fire_due(at=first.due_at)
    [alert] = alerts(project, "milestone_overdue")
    assert (alert.subject, alert.status) == ("M1", "open")
    assert db.session.get(TimerJob, first.id).status == "done"
    count = db.session.execute(select(func.count()).select_from(RiskAlert)).scalar()
    timer_firing.fire_due(at=first.due_at + timedelta(hours=1))
    assert db.session.execute(select(func.count()).select_from(RiskAlert)).scalar() == count


def test_milestone_jobs_follow_the_book_in_force(app):
    case, _ids = project_in_execution(book(milestones=[{"name": "唯一里程碑", "due": book()["period_end"]}]))
    [job] = pending_jobs("milestone_due", case)
    assert job.policy["milestone"] == "M1" and job.policy["due"] == book()["period_end"]
