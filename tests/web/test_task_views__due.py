"""The consortium application's review steps have working-day deadlines the task page shows."""
from datetime import timedelta

from app.extensions import db
from app.models import TimerJob
from app.services.workflow import cases, tasks


def test_the_lead_unit_step_is_due_in_three_working_days_with_reminders(browser, user, open_task,
                                                                        application_form):
    case = cases.start_instance(user("applicant"), "consortium_application")
    tasks.complete(user("applicant"), open_task(case).id, application_form("tianhe"))
    task = open_task(case)
    assert task.element_id == "lead_unit_opinion" and task.due_at is not None
    assert timedelta(days=3) <= task.due_at - task.created_at <= timedelta(days=5)   # 3 working days
    job = db.session.query(TimerJob).filter_by(task_id=task.id, kind="task_due").one()
    assert job.policy["action"] == "remind" and job.policy["times"] == 2
    page = browser("leader", lang="zh").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="due"' in page and "剩余" in page
