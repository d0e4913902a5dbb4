"""撤销 in the JSON API: POST /api/v1/instances/{id}/cancel with a reason, by the case's initiator; 401,
403, 404, 409 and 422 in the shared error shape; documented in the OpenAPI description."""
from app.services.operations import suspension
from app.services.registries.achievements.sharing_requests import request_sharing
from app.services.workflow import cases, deploy
from tests.services.operations.test_suspension__timers import deadline_and_boundary
from tests.sharing_support import directed_achievement, grant_of

from .conftest import assert_error_shape


def cancel(client, case_id, headers, body):
    return client.post(f"/api/v1/instances/{case_id}/cancel", headers=headers, json=body)


def test_the_initiator_cancels_through_the_api(client, auth, user):
    deploy.deploy(user("admin"), deadline_and_boundary("api_cancel"), "api_cancel.bpmn")
    case = cases.start_instance(user("applicant"), "api_cancel")
    assert_error_shape(client.post(f"/api/v1/instances/{case.id}/cancel", json={"reason": "x"}), 401)
    assert_error_shape(cancel(client, case.id, auth("applicant"), {}), 422)
    blank = assert_error_shape(cancel(client, case.id, auth("applicant"), {"reason": "  "}), 422)
    assert "reason" in blank["errors"]
    assert_error_shape(cancel(client, case.id, auth("applicant"), {"reason": "长" * 501}), 422)
    assert_error_shape(cancel(client, case.id, auth("city"), {"reason": "不是我的"}), 403)
    assert "终止" in assert_error_shape(cancel(client, case.id, auth("admin"), {"reason": "管理员"}), 403)["message"]
    assert_error_shape(cancel(client, 999999, auth("applicant"), {"reason": "没有"}), 404)
    suspension.suspend(user("admin"), case.id)
    assert "挂起" in assert_error_shape(cancel(client, case.id, auth("applicant"), {"reason": "挂起中"}), 409)["message"]
    suspension.resume(user("admin"), case.id)

    done = cancel(client, case.id, auth("applicant"), {"reason": "重复提交"})
    assert done.status_code == 200
    body = done.get_json()
    assert (body["status"], body["outcome"], body["end_reason"]) == ("terminated", "cancelled_by_initiator", "重复提交")
    assert_error_shape(cancel(client, case.id, auth("applicant"), {"reason": "再来"}), 409)


def test_a_decided_request_is_a_conflict_and_an_undecided_one_is_withdrawn(client, auth, user):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, "评估适用性。", 30)
    done = cancel(client, grant.instance_id, auth("applicant2"), {"reason": "不需要了"})
    assert done.status_code == 200 and grant_of(grant.id).status == "withdrawn"
    listed = client.get("/api/v1/sharing-requests", headers=auth("applicant2")).get_json()
    assert [r["status"] for r in listed if r["id"] == grant.id] == ["withdrawn"]


def test_the_operation_is_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/instances/{instance_id}/cancel"]["post"]
    assert operation["operationId"] == "cancelInstance"
    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    assert "initiatorMayCancel" in operation["responses"]["403"]["description"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert spec["components"]["schemas"][schema]["required"] == ["reason"]
