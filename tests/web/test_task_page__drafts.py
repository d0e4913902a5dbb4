"""The task page shows a draft to the task's assignee only."""
from app.services.workflow import cases, tasks

SECRET = "草稿里尚未提交的意见-42"


def test_a_draft_is_on_the_assignees_page_only(browser, user, open_task):
    instance = cases.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    tasks.save_draft(user("applicant"), task.id, {"consortium_name": "草稿联合体", "goals": SECRET})
    assert SECRET in browser("applicant").get(f"/tasks/{task.id}").get_data(as_text=True)
    page = browser("city").get(f"/tasks/{task.id}")
    assert page.status_code == 200 and SECRET not in page.get_data(as_text=True)
