"""Directed sharing in the API: a request (201), its refusals with the documented statuses and the
field named, and the lists of my requests and of those made to my unit (bearer tokens)."""
import pytest

from app.models.states import ShareLevel
from tests.api.conftest import assert_error_shape
from tests.problem_support import act
from tests.sharing_support import case_of, directed_achievement, grant_of

PURPOSE = "评估柔轮热处理工艺在本公司产线的适用性。"


def _ask(client, auth, who, achievement_id, body):
    return client.post(f"/api/v1/achievements/{achievement_id}/sharing-requests", json=body, headers=auth(who))


def test_a_request_and_both_lists(client, auth):
    _consortium, achievement_id = directed_achievement()
    sent = _ask(client, auth, "applicant2", achievement_id, {"purpose": PURPOSE, "days": 14})
    assert sent.status_code == 201, sent.get_data(as_text=True)
    body = sent.get_json()
    assert (body["achievement_id"], body["status"], body["purpose"]) == (achievement_id, "requested", PURPOSE)
    [mine] = client.get("/api/v1/sharing-requests", headers=auth("applicant2")).get_json()
    assert (mine["id"], mine["status"], mine["in_force"], mine["valid_until"]) == (body["id"], "requested", False, None)
    assert mine["achievement"]["id"] == achievement_id and mine["requester"] == "applicant2"
    assert client.get("/api/v1/sharing-requests", headers=auth("leader")).get_json() == []
    [theirs] = client.get("/api/v1/sharing-requests?role=contributor", headers=auth("leader")).get_json()
    assert theirs["id"] == body["id"] and theirs["consent_task_id"]
    assert client.get("/api/v1/sharing-requests?role=contributor", headers=auth("applicant3")).get_json() == []
    act("leader", case_of(grant_of(body["id"])), {"decision": "approve", "opinion": "同意。"})
    [mine] = client.get("/api/v1/sharing-requests", headers=auth("applicant2")).get_json()
    assert (mine["status"], mine["in_force"], mine["days_left"]) == ("granted", True, 14)
    assert mine["valid_from"] and mine["valid_until"] and mine["decision_note"] == "同意。"


@pytest.mark.parametrize("body, fields", [
    ({"purpose": PURPOSE, "days": 0}, {"days"}), ({"purpose": PURPOSE, "days": 366}, {"days"}),
    ({"purpose": PURPOSE, "days": "10"}, {"days"}), ({"purpose": "", "days": 10}, {"purpose"}),
    ({"purpose": "   ", "days": 10}, {"purpose"}), ({}, {"purpose", "days"}),
])
def test_bad_input_is_422_naming_the_field(client, auth, body, fields):
    _consortium, achievement_id = directed_achievement()
    refused = assert_error_shape(_ask(client, auth, "applicant2", achievement_id, body), 422)
    assert set(refused["errors"]) == fields


def test_refusals(client, auth):
    consortium, achievement_id = directed_achievement()
    assert _ask(client, auth, "applicant2", achievement_id, {"purpose": PURPOSE, "days": 10}).status_code == 201
    assert_error_shape(_ask(client, auth, "applicant2", achievement_id, {"purpose": PURPOSE, "days": 10}), 409)
    assert_error_shape(_ask(client, auth, "applicant", achievement_id, {"purpose": PURPOSE, "days": 10}), 403)
    assert_error_shape(_ask(client, auth, "applicant2", 999_999, {"purpose": PURPOSE, "days": 10}), 404)
    _c, public = directed_achievement(ShareLevel.PUBLIC)
    assert_error_shape(_ask(client, auth, "applicant2", public, {"purpose": PURPOSE, "days": 10}), 409)
    anonymous = client.post(f"/api/v1/achievements/{achievement_id}/sharing-requests",
                            json={"purpose": PURPOSE, "days": 10})
    assert_error_shape(anonymous, 401)
    assert_error_shape(client.get("/api/v1/sharing-requests?role=owner", headers=auth("applicant2")), 422)


def test_the_operations_are_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    post = spec["paths"]["/api/v1/achievements/{achievement_id}/sharing-requests"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(post["responses"])
    assert post["operationId"] == "requestSharing"
    assert spec["paths"]["/api/v1/sharing-requests"]["get"]["operationId"] == "listSharingRequests"
