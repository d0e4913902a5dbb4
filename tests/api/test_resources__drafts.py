"""An unsubmitted draft is its assignee's alone: not on the API for anyone else who may see the case."""
from app.services.workflow import cases, tasks

SECRET = "草稿里尚未提交的意见-42"


def _draft(user, open_task):
    instance = cases.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    tasks.save_draft(user("applicant"), task.id, {"consortium_name": "草稿联合体", "goals": SECRET})
    return task.id


def test_the_assignee_sees_the_draft_and_a_case_reader_does_not(client, auth, user, open_task):
    task_id = _draft(user, open_task)
    own = client.get(f"/api/v1/tasks/{task_id}", headers=auth("applicant")).get_json()
    assert own["draft"]["goals"] == SECRET
    for reader in ("city", "auditor"):
        response = client.get(f"/api/v1/tasks/{task_id}", headers=auth(reader))
        assert response.status_code == 200, reader           # they may see the case and the task ...
        assert response.get_json()["draft"] is None           # ... not what its assignee has not submitted
        assert SECRET not in response.get_data(as_text=True)
