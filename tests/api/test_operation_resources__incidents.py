"""The incidents in the JSON API: a real failed step and a real parked timer are listed, filtered,
read, their case data corrected and retried; administrators only, and every refusal is a 4xx."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask
from app.services.operations import termination
from app.services.workflow import cases, deploy, tasks, timer_firing
from tests.services.operations.test_incidents__steps import SERVICE, checked_service, diagram  # noqa: F401
from tests.services.test_timers__jobs import later, timer_diagram

from .conftest import assert_error_shape


def failed_step(user, key):
    """A case whose service task failed right after the applicant's decision: (case, its reference)."""
    deploy.deploy(user("admin"), diagram(key, SERVICE), f"{key}.bpmn")
    case = cases.start_instance(user("applicant"), key)
    [fill] = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id)).scalars().all()
    tasks.complete(user("applicant"), fill.id, {"title": "申报"})
    return case


def refs(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [item["id"] for item in response.get_json()["items"]]


def test_a_failed_step_is_listed_read_corrected_and_retried(client, auth, user, checked_service):  # noqa: F811
    case = failed_step(user, "api_failing")
    admin = auth("admin")
    listed = client.get(f"/api/v1/incidents?instanceId={case.id}", headers=admin).get_json()
    [item] = listed["items"]
    ref = item["id"]
    assert ref.startswith("step-") and listed["total"] == 1 and (listed["page"], listed["per_page"]) == (1, 20)
    assert (item["kind"], item["status"], item["processKey"], item["elementId"], item["elementName"]) == \
        ("step", "open", "api_failing", "middle", "计算")
    assert "amount missing" in item["error"] and item["attempts"] == 1 and item["createdAt"]
    assert item["instanceId"] == case.id and item["instance"]["business_key"] == case.business_key

    assert ref in refs(client.get("/api/v1/incidents?status=open&kind=step&processKey=api_failing", headers=admin))
    assert ref not in refs(client.get("/api/v1/incidents?kind=timer", headers=admin))
    assert ref not in refs(client.get("/api/v1/incidents?status=resolved", headers=admin))
    assert refs(client.get("/api/v1/incidents?processKey=nobody_has_this", headers=admin)) == []
    one = client.get("/api/v1/incidents?per_page=1&page=1", headers=admin).get_json()
    assert len(one["items"]) == 1 and one["total"] >= 1 and one["per_page"] == 1

    detail = client.get(f"/api/v1/incidents/{ref}", headers=admin).get_json()
    assert detail["data"]["title"] == "申报" and "amount" not in detail["data"]
    assert detail["waitingToRun"] == ["middle"] and detail["taskId"] is not None and detail["error"] == item["error"]

    again = client.post(f"/api/v1/incidents/{ref}/retry", headers=admin)           # not corrected yet
    assert again.status_code == 200 and again.get_json()["status"] == "open" and again.get_json()["attempts"] == 2

    url = f"/api/v1/instances/{case.id}/data"
    corrected = client.patch(url, headers=admin, json={"modifications": {"amount": 3, "title": "申报（更正）"},
                                                        "reason": "补录金额"})
    assert corrected.status_code == 200, corrected.get_data(as_text=True)
    body = corrected.get_json()
    assert body["before"] == {"amount": None, "title": "申报"} and body["removed"] == []
    assert body["after"] == {"amount": 3, "title": "申报（更正）"} and body["instance"]["id"] == case.id
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "data_corrected")).scalar_one()
    assert event.data["reason"] == "补录金额" and event.data["after"] == body["after"]

    done = client.post(f"/api/v1/incidents/{ref}/retry", headers=admin).get_json()
    assert done["status"] == "resolved" and done["resolvedAt"]
    assert ref in refs(client.get("/api/v1/incidents?status=resolved", headers=admin))
    assert ref not in refs(client.get("/api/v1/incidents?status=open", headers=admin))
    assert client.get(f"/api/v1/incidents/{ref}", headers=admin).get_json()["status"] == "resolved"
    assert_error_shape(client.post(f"/api/v1/incidents/{ref}/retry", headers=admin), 409)
    review = client.get(f"/api/v1/instances/{case.id}", headers=admin).get_json()
    assert "审核" in review["current_steps"]


def test_a_parked_timer_is_listed_read_and_retried(client, auth, user, monkeypatch):
    deploy.deploy(user("admin"), timer_diagram("api_timer_fails"), "api_timer_fails.bpmn")
    case = cases.start_instance(user("applicant"), "api_timer_fails")

    def broken(ctx, job, instance):
        raise RuntimeError("mail server down")
    monkeypatch.setattr(timer_firing, "_fire_bpmn_timer", broken)
    moment = later(hours=2)
    for attempt in range(1, timer_firing.MAX_ATTEMPTS + 1):
        timer_firing.fire_due(at=moment)
        moment += timedelta(seconds=2 ** attempt + 1)
    monkeypatch.undo()

    admin = auth("admin")
    [item] = client.get(f"/api/v1/incidents?instanceId={case.id}", headers=admin).get_json()["items"]
    ref = item["id"]
    assert ref.startswith("timer-") and (item["kind"], item["status"], item["jobKind"]) == ("timer", "open", "bpmn_timer")
    assert (item["elementId"], item["elementName"], item["processKey"]) == ("wait", "等待", "api_timer_fails")
    assert "mail server down" in item["error"] and item["attempts"] == timer_firing.MAX_ATTEMPTS
    assert ref in refs(client.get("/api/v1/incidents?kind=timer&processKey=api_timer_fails", headers=admin))
    assert ref not in refs(client.get("/api/v1/incidents?kind=step", headers=admin))
    assert ref not in refs(client.get("/api/v1/incidents?status=resolved", headers=admin))
    detail = client.get(f"/api/v1/incidents/{ref}", headers=admin).get_json()
    assert detail["instanceId"] == case.id and isinstance(detail["data"], dict) and detail["waitingToRun"] == []

    retried = client.post(f"/api/v1/incidents/{ref}/retry", headers=admin).get_json()
    assert retried["status"] == "retried" and retried["id"] == ref
    assert ref not in refs(client.get("/api/v1/incidents", headers=admin))      # a queued job, no incident
    assert_error_shape(client.get(f"/api/v1/incidents/{ref}", headers=admin), 404)
    assert_error_shape(client.post(f"/api/v1/incidents/{ref}/retry", headers=admin), 404)
    assert timer_firing.fire_due(at=later(hours=3)) == 1
    assert "复核" in client.get(f"/api/v1/instances/{case.id}", headers=admin).get_json()["current_steps"]


def test_administrators_only(client, auth, user, checked_service):  # noqa: F811
    case = failed_step(user, "api_failing_perm")
    [incident] = client.get(f"/api/v1/incidents?instanceId={case.id}", headers=auth("admin")).get_json()["items"]
    for username in ("city", "auditor", "applicant"):
        headers = auth(username)
        assert_error_shape(client.get("/api/v1/incidents", headers=headers), 403)
        assert_error_shape(client.get(f"/api/v1/incidents/{incident['id']}", headers=headers), 403)
        assert_error_shape(client.post(f"/api/v1/incidents/{incident['id']}/retry", headers=headers), 403)
        assert_error_shape(client.patch(f"/api/v1/instances/{case.id}/data", headers=headers,
                                        json={"modifications": {"amount": 1}, "reason": "x"}), 403)
    assert_error_shape(client.get("/api/v1/incidents"), 401)
    assert client.get(f"/api/v1/incidents/{incident['id']}", headers=auth("admin")).get_json()["status"] == "open"


def test_unknown_ids_are_404(client, auth):
    admin = auth("admin")
    for ref in ("step-999999", "timer-999999", f"step-{2 ** 31}", "step-9999999999", "step-0"):
        assert_error_shape(client.get(f"/api/v1/incidents/{ref}", headers=admin), 404)
        assert_error_shape(client.post(f"/api/v1/incidents/{ref}/retry", headers=admin), 404)
    for ref in ("12", "incident-3", "step-", "step-12345678901"):       # no such route
        assert_error_shape(client.get(f"/api/v1/incidents/{ref}", headers=admin), 404)
    assert_error_shape(client.patch("/api/v1/instances/999999/data", headers=admin,
                                    json={"modifications": {"a": 1}, "reason": "x"}), 404)


def test_bad_bodies_and_filters_are_422_naming_the_field(client, auth, user, checked_service):  # noqa: F811
    case = failed_step(user, "api_failing_bad")
    admin, url = auth("admin"), f"/api/v1/instances/{case.id}/data"

    def refused(body, field):
        errors = assert_error_shape(client.patch(url, headers=admin, json=body), 422).get("errors", {})
        assert field in errors, errors

    refused({"modifications": {"amount": 1}}, "reason")
    refused({"modifications": {"amount": 1}, "reason": "   "}, "reason")
    refused({"modifications": [1, 2], "reason": "r"}, "modifications")
    refused({"modifications": {"amount": 1}, "deletions": "title", "reason": "r"}, "deletions")
    refused({"modifications": {"meta": {"typename": "x"}}, "reason": "r"}, "modifications.meta")
    refused({"deletions": ["no_such_field"], "reason": "r"}, "deletions.0")
    refused({"modifications": {"title": "x"}, "deletions": ["amount", "title"], "reason": "r"}, "deletions.1")
    refused({"modifications": {"title": "申报"}, "reason": "r"}, "modifications")         # nothing changes
    refused({"modifications": {"": 1}, "reason": "r"}, "modifications")
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id, AuditEvent.type == "data_corrected")).first() is None

    for query, field in (("status=closed", "status"), ("kind=job", "kind"), ("instanceId=0", "instanceId"),
                         ("instanceId=x", "instanceId"), ("per_page=1000", "per_page")):
        errors = assert_error_shape(client.get(f"/api/v1/incidents?{query}", headers=admin), 422)["errors"]
        assert field in errors, (query, errors)

    removed = client.patch(url, headers=admin, json={"deletions": ["title"], "reason": "标题重复"}).get_json()
    assert removed["removed"] == ["title"] and removed["before"] == {"title": "申报"} and removed["after"] == {}
    termination.terminate(user("admin"), case.id, "撤销")
    assert_error_shape(client.patch(url, headers=admin, json={"modifications": {"amount": 1}, "reason": "r"}), 409)


def test_the_openapi_document_lists_the_new_operations(client):
    spec = client.get("/api/openapi.json").get_json()
    ids = {op["operationId"]: (path, method) for path, item in spec["paths"].items()
           for method, op in item.items() if isinstance(op, dict) and "operationId" in op}
    assert ids["listIncidents"] == ("/api/v1/incidents", "get")
    assert ids["getIncident"] == ("/api/v1/incidents/{incident_id}", "get")
    assert ids["retryIncident"] == ("/api/v1/incidents/{incident_id}/retry", "post")
    assert ids["correctInstanceData"] == ("/api/v1/instances/{instance_id}/data", "patch")
    [parameter] = spec["paths"]["/api/v1/incidents/{incident_id}"]["parameters"]
    assert parameter["schema"]["pattern"] == "^(?:step|timer)-[0-9]{1,10}$"
    retry = spec["paths"]["/api/v1/incidents/{incident_id}/retry"]["post"]["responses"]
    assert {"200", "401", "403", "404", "409"} <= set(retry)
    correct = spec["paths"]["/api/v1/instances/{instance_id}/data"]["patch"]["responses"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(correct)
