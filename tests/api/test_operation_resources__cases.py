"""The operations on running cases in the JSON API: suspend, resume, terminate, dry run, batch run."""
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask
from app.services.workflow import cases, deploy, tasks
from tests.services.operations.migration_diagrams import version_1, version_2
from tests.services.operations.test_suspension__timers import deadline_and_boundary

from .conftest import assert_error_shape


def test_suspend_resume_terminate(client, auth, user):
    deploy.deploy(user("admin"), deadline_and_boundary("api_ops"), "api_ops.bpmn")
    case = cases.start_instance(user("applicant"), "api_ops")
    [task] = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalars().all()
    assert_error_shape(client.post(f"/api/v1/instances/{case.id}/suspend", headers=auth("city"), json={}), 403)
    response = client.post(f"/api/v1/instances/{case.id}/suspend", headers=auth("admin"), json={"reason": "核查"})
    assert response.status_code == 200 and response.get_json()["status"] == "suspended"
    listed = client.get("/api/v1/tasks", headers=auth("city")).get_json()
    assert task.id not in [t["id"] for t in listed["items"]]
    refused = assert_error_shape(client.post(f"/api/v1/tasks/{task.id}/claim", headers=auth("city"), json={}), 409)
    assert "挂起" in refused["message"]                              # suspended, in the default language
    assert_error_shape(client.post(f"/api/v1/instances/{case.id}/suspend", headers=auth("admin"), json={}), 409)
    assert client.post(f"/api/v1/instances/{case.id}/resume", headers=auth("admin")).get_json()["status"] == "running"
    assert_error_shape(client.post(f"/api/v1/instances/{case.id}/terminate", headers=auth("admin"), json={}), 422)
    ended = client.post(f"/api/v1/instances/{case.id}/terminate", headers=auth("admin"), json={"reason": "撤销"})
    assert ended.get_json()["status"] == "terminated" and ended.get_json()["end_reason"] == "撤销"
    assert_error_shape(client.post("/api/v1/instances/999999/resume", headers=auth("admin")), 404)


def test_dry_run_then_a_batch(client, auth, user):
    deploy.deploy(user("admin"), version_1("api_move"), "api_move.bpmn")
    case = cases.start_instance(user("applicant"), "api_move")
    [row] = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalars().all()
    tasks.complete(user("applicant"), row.id, {"way": "main"})
    deploy.deploy(user("admin"), version_2("api_move"), "api_move.bpmn")
    body = {"processKey": "api_move", "fromVersion": 1, "toVersion": 2}
    assert_error_shape(client.post("/api/v1/migrations/dry-run", headers=auth("city"), json=body), 403)
    report = client.post("/api/v1/migrations/dry-run", headers=auth("admin"), json=body).get_json()
    [assessed] = report["cases"]
    assert not assessed["movable"] and "review" in assessed["reasons"][0] and assessed["at"] == ["review"]
    body["mapping"] = {"review": "check"}
    report = client.post("/api/v1/migrations/dry-run", headers=auth("admin"), json=body).get_json()
    assert report["cases"][0]["movable"]
    assert_error_shape(client.post("/api/v1/migrations/dry-run", headers=auth("admin"),
                                   json={**body, "toVersion": 7}), 404)
    started = client.post("/api/v1/migrations", headers=auth("admin"), json=body)
    assert started.status_code == 201 and started.get_json()["pending"] == 1
    batch_id = started.get_json()["id"]
    done = client.post(f"/api/v1/migrations/{batch_id}/run", headers=auth("admin"), json={}).get_json()
    assert done["counts"] == {"migrated": 1} and done["finishedAt"]
    assert client.get(f"/api/v1/migrations/{batch_id}", headers=auth("admin")).get_json()["items"][0]["status"] \
        == "migrated"
    assert client.get(f"/api/v1/instances/{case.id}", headers=auth("admin")).get_json()["definition_version"] == 2
