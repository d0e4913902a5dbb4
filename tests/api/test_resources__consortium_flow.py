"""The consortium application driven through the JSON API only, and the errors a client meets."""
from .conftest import APPROVE, assert_error_shape


def start_case(client, headers):
    response = client.post("/api/v1/instances", json={"process_key": "consortium_application"}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def open_task_of(client, headers, instance_id):
    inbox = client.get("/api/v1/tasks?per_page=100", headers=headers).get_json()
    found = [t for t in inbox["items"] if t["instance_id"] == instance_id]
    assert len(found) == 1, inbox
    return found[0]


def claim_and_complete(client, headers, instance_id, data):
    task = open_task_of(client, headers, instance_id)
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", json={"version": task["version"]}, headers=headers)
    assert claimed.status_code == 200, claimed.get_data(as_text=True)
    body = claimed.get_json()
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"version": body["version"], "data": data},
                       headers=headers)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["status"] == "completed"
    return task


def submit_application(client, auth, application_form, district="tianhe"):
    case = start_case(client, auth("applicant"))
    task = open_task_of(client, auth("applicant"), case["id"])
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": application_form(district)},
                           headers=auth("applicant"))
    assert response.status_code == 200, response.get_data(as_text=True)
    return case


def test_the_whole_application_through_the_api(client, auth, application_form):
    applicant = auth("applicant")
    case = start_case(client, applicant)
    assert case["status"] == "running" and case["process_key"] == "consortium_application"

    inbox = client.get("/api/v1/tasks", headers=applicant).get_json()
    assert inbox["total"] == 1
    fill = inbox["items"][0]
    assert (fill["element_id"], fill["instance_id"], fill["assignee"]) == ("fill_application", case["id"], "applicant")

    detail = client.get(f"/api/v1/tasks/{fill['id']}", headers=applicant).get_json()
    assert detail["form"]["type"] == "object"
    assert {"consortium_name", "district", "members"} <= set(detail["form"]["required"])
    assert "credit_code" in detail["form"]["properties"]["members"]["items"]["required"]
    assert isinstance(detail["version"], int)

    form = application_form("tianhe")
    bad = {**form, "members": [dict(form["members"][0], credit_code="91440101MA59XXXXX1"), form["members"][1]]}
    refused = client.post(f"/api/v1/tasks/{fill['id']}/complete", json={"data": bad, "version": detail["version"]},
                          headers=applicant)
    body = assert_error_shape(refused, 422)
    assert list(body["errors"]) == ["members.0.credit_code"]
    assert isinstance(body["errors"]["members.0.credit_code"], list) and body["errors"]["members.0.credit_code"][0]

    accepted = client.post(f"/api/v1/tasks/{fill['id']}/complete", json={"data": form, "version": detail["version"]},
                           headers=applicant)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "completed"
    assert client.get("/api/v1/tasks", headers=applicant).get_json()["total"] == 0

    lead = claim_and_complete(client, auth("leader"), case["id"], APPROVE)
    assert lead["element_id"] == "lead_unit_opinion"
    district = claim_and_complete(client, auth("district_tianhe"), case["id"], APPROVE)
    assert district["element_id"] == "district_review" and district["district"] == "tianhe"
    city = claim_and_complete(client, auth("city"), case["id"], {"decision": "approve", "opinion": "同意组建"})
    assert city["element_id"] == "city_review"

    final = client.get(f"/api/v1/instances/{case['id']}", headers=applicant)
    assert final.status_code == 200
    final = final.get_json()
    assert (final["status"], final["outcome"], final["audit_chain_ok"]) == ("completed", "approved", True)
    assert final["title"] == form["consortium_name"] and final["district"] == "tianhe"
    assert final["ended_at"] and final["active_elements"] == []
    types = [e["type"] for e in final["events"]]
    assert types[0] == "instance_started" and types[-1] == "instance_completed"
    assert types.count("task_completed") == 4
    assert [e["seq"] for e in final["events"]] == list(range(1, len(types) + 1))
    assert [t["status"] for t in final["tasks"]] == ["completed"] * 4
    assert [t["decision"] for t in final["tasks"][1:]] == ["approve"] * 3

    done = client.get("/api/v1/tasks/done", headers=auth("city")).get_json()
    assert [t["element_id"] for t in done["items"]] == ["city_review"]


def test_a_reviewer_must_give_an_opinion(client, auth, application_form):
    case = submit_application(client, auth, application_form)
    task = open_task_of(client, auth("leader"), case["id"])
    body = assert_error_shape(client.post(f"/api/v1/tasks/{task['id']}/complete",
                                          json={"data": {"decision": "approve"}}, headers=auth("leader")), 422)
    assert "opinion" in body["errors"]


def test_a_draft_is_kept_on_the_task(client, auth):
    case = start_case(client, auth("applicant"))
    task = open_task_of(client, auth("applicant"), case["id"])
    saved = client.post(f"/api/v1/tasks/{task['id']}/draft", json={"data": {"consortium_name": "半成品"}},
                        headers=auth("applicant"))
    assert saved.status_code == 200
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=auth("applicant")).get_json()
    assert detail["draft"] == {"consortium_name": "半成品"} and detail["status"] == "open"


def test_completing_someone_elses_task_is_403(client, auth, application_form):
    case = submit_application(client, auth, application_form, "tianhe")
    claim_and_complete(client, auth("leader"), case["id"], APPROVE)
    task = open_task_of(client, auth("district_tianhe"), case["id"])
    for intruder in ("district_haizhu", "applicant2", "leader"):
        response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": APPROVE},
                               headers=auth(intruder))
        assert_error_shape(response, 403)
    assert_error_shape(client.post(f"/api/v1/tasks/{task['id']}/claim", json={}, headers=auth("district_haizhu")),
                       403)
    # still waiting for Tianhe
    assert open_task_of(client, auth("district_tianhe"), case["id"])["id"] == task["id"]


def test_completing_a_completed_task_again_is_409(client, auth, application_form):
    case = start_case(client, auth("applicant"))
    task = open_task_of(client, auth("applicant"), case["id"])
    url = f"/api/v1/tasks/{task['id']}/complete"
    assert client.post(url, json={"data": application_form()}, headers=auth("applicant")).status_code == 200
    assert_error_shape(client.post(url, json={"data": application_form()}, headers=auth("applicant")), 409)
    events = client.get(f"/api/v1/instances/{case['id']}", headers=auth("applicant")).get_json()["events"]
    assert [e["type"] for e in events].count("task_completed") == 1


def test_a_stale_version_is_409_and_nothing_moves(client, auth, application_form):
    case = submit_application(client, auth, application_form)
    task = open_task_of(client, auth("leader"), case["id"])
    seen = task["version"]
    leader = auth("leader")
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", json={"version": seen}, headers=leader).status_code == 200
    assert client.post(f"/api/v1/tasks/{task['id']}/release", json={}, headers=leader).status_code == 200
    assert_error_shape(client.post(f"/api/v1/tasks/{task['id']}/claim", json={"version": seen}, headers=leader), 409)
    stale = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"version": seen, "data": APPROVE},
                        headers=leader)
    assert_error_shape(stale, 409)
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=leader).get_json()["status"] == "open"


def test_a_missing_task_or_case_is_404(client, auth):
    for method, suffix, payload in [("get", "", None), ("post", "/complete", {"data": {}}), ("post", "/claim", {}),
                                    ("post", "/draft", {"data": {}})]:
        kwargs = {"json": payload} if method == "post" else {}
        body = assert_error_shape(getattr(client, method)(f"/api/v1/tasks/999999{suffix}", headers=auth("city"),
                                                          **kwargs), 404)
        assert "999999" in body["message"]
    assert_error_shape(client.get("/api/v1/instances/999999", headers=auth("city")), 404)


def test_complete_without_data_is_422_in_the_same_shape(client, auth):
    case = start_case(client, auth("applicant"))
    task = open_task_of(client, auth("applicant"), case["id"])
    body = assert_error_shape(client.post(f"/api/v1/tasks/{task['id']}/complete", json={"version": 1},
                                          headers=auth("applicant")), 422)
    assert "data" in body["errors"]
    body = assert_error_shape(client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": "not an object"},
                                          headers=auth("applicant")), 422)
    assert "data" in body["errors"]


def test_starting_needs_a_known_process_that_i_may_start(client, auth):
    body = assert_error_shape(client.post("/api/v1/instances", json={}, headers=auth("applicant")), 422)
    assert "process_key" in body["errors"]
    assert_error_shape(client.post("/api/v1/instances", json={"process_key": "no_such_process"},
                                   headers=auth("applicant")), 404)
    assert_error_shape(client.post("/api/v1/instances", json={"process_key": "consortium_application"},
                                   headers=auth("district_tianhe")), 403)
