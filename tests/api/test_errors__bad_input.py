"""Every bad input gets a clear 4xx in the one error shape, never a 500: each kind of bad body
is sent to every API write route and each out-of-range id to every `<int>` route, both found in
`app.url_map`, so a new route is covered without a new test."""
import io
from pathlib import Path

import pytest

from .conftest import APPROVE, assert_error_shape
from .test_resources__consortium_flow import open_task_of, start_case, submit_application

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _fill(pattern, values):
    url = pattern
    for arg, value in values.items():
        for form in (f"<int:{arg}>", f"<{arg}>", f"<path:{arg}>"):
            url = url.replace(form, str(value))
    return url


def api_writes(app):
    return sorted((method, _fill(rule.rule, {a: 1 if "int:" + a in rule.rule else "x" for a in rule.arguments}))
                  for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
                  for method in rule.methods & BODY_METHODS)


def int_routes(app):
    return sorted((sorted(rule.methods - {"HEAD", "OPTIONS"})[0], rule.rule) for rule in app.url_map.iter_rules()
                  if "<int:" in rule.rule)


BAD_BODIES = {
    "malformed JSON": b'{"version": ',
    "invalid UTF-8": b'{"note": "\xff\xfe"}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "huge integer": b'{"version": ' + b"9" * 5000 + b"}",
    "lone surrogate": b'{"note": "\\ud800", "data": {"x": "\\udfff"}}',
    "NUL in a string": b'{"note": "a\\u0000b", "data": {"name": "a\\u0000"}}',
    "NUL in a key": b'{"data": {"a\\u0000": 1}}',
    "Infinity": b'{"data": {"amount": Infinity}}',
    "NaN": b'{"data": {"amount": NaN}}',
    "overflowing float": b'{"data": {"amount": 1e999}}',
}


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
def test_a_bad_json_body_is_a_400_on_every_write(client, auth, kind):
    failures = []
    for method, url in api_writes(client.application):
        response = client.open(url, method=method, data=BAD_BODIES[kind], content_type="application/json",
                               headers=auth("admin"))
        if response.status_code != 400 or not response.is_json or "errors" not in response.get_json():
            failures.append((method, url, response.status_code, response.get_data(as_text=True)[:200]))
    assert failures == []


def test_a_refusal_names_the_field(client, auth):
    case = start_case(client, auth("applicant"))
    task = open_task_of(client, auth("applicant"), case["id"])
    url = f"/api/v1/tasks/{task['id']}/draft"
    body = assert_error_shape(client.post(url, data=BAD_BODIES["NUL in a string"], content_type="application/json",
                                          headers=auth("applicant")), 400)
    assert set(body["errors"]) == {"note", "data.name"} and "note" in body["message"]
    body = assert_error_shape(client.post(url, data=BAD_BODIES["Infinity"], content_type="application/json",
                                          headers=auth("applicant")), 400)
    assert list(body["errors"]) == ["json"] and "Infinity" in body["errors"]["json"][0]
    body = assert_error_shape(client.post(url, data=b"{", content_type="application/json",
                                          headers=auth("applicant")), 400)
    assert list(body["errors"]) == ["json"]


def test_a_nul_in_a_query_string_is_a_400_naming_it(client, auth):
    failures = []
    for rule in client.application.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and "GET" in rule.methods:
            url = _fill(rule.rule, {a: 1 for a in rule.arguments})
            response = client.get(url + "?process=a%00b&page=1", headers=auth("admin"))
            if response.status_code != 400 or "process" not in (response.get_json() or {}).get("errors", {}):
                failures.append((url, response.status_code))
    assert failures == []
    response = client.delete("/api/v1/tasks/1/signers/a%00b", headers=auth("admin"))
    assert "username" in assert_error_shape(response, 400)["errors"]


@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_an_id_beyond_any_column_is_a_404_on_every_int_route(client, auth, big):
    failures = []
    for method, pattern in int_routes(client.application):
        url = _fill(pattern, {arg: big for arg in ("instance_id", "task_id", "problem_id", "job_id", "cc_id",
                                                  "notification_id", "consortium_id", "definition_id", "n")})
        url = _fill(url, {"kind": "withdraw", "username": "x"})
        response = client.open(url, method=method, json={}, headers=auth("admin"))
        if response.status_code != 404:
            failures.append((method, url, response.status_code))
    assert failures == []


def test_an_id_in_range_still_reaches_its_view(client, auth):
    case = start_case(client, auth("applicant"))
    assert client.get(f"/api/v1/instances/{case['id']}", headers=auth("applicant")).status_code == 200
    assert_error_shape(client.get(f"/api/v1/instances/{2**31 - 1}", headers=auth("applicant")), 404)


def test_a_405_says_what_is_allowed(client, auth):
    response = client.put("/api/v1/instances", json={}, headers=auth("admin"))
    assert_error_shape(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_an_attachment_token_must_be_a_string(client, auth):
    case = start_case(client, auth("applicant"))
    task = open_task_of(client, auth("applicant"), case["id"])
    for token in (["a", "b"], {"a": 1}, 5):
        response = client.post(f"/api/v1/tasks/{task['id']}/draft",
                               json={"data": {"attachments": [{"token": token, "filename": "a.pdf"}]}},
                               headers=auth("applicant"))
        assert "attachments" in assert_error_shape(response, 422)["errors"], token


def test_withdrawing_twice_is_a_conflict(client, auth, application_form):
    case = submit_application(client, auth, application_form)
    assert client.post(f"/api/v1/instances/{case['id']}/withdraw", headers=auth("applicant")).status_code == 200
    again = client.post(f"/api/v1/instances/{case['id']}/withdraw", headers=auth("applicant"))
    assert_error_shape(again, 409)
    reclaim = client.post(f"/api/v1/instances/{case['id']}/reclaim", headers=auth("applicant"))
    assert_error_shape(reclaim, 409)


def test_a_reclaim_after_one_countersign_signature_is_a_conflict(client, auth):
    case = client.post("/api/v1/instances", json={"process_key": "expert_review"}, headers=auth("manager"))
    case = case.get_json()
    task = open_task_of(client, auth("manager"), case["id"])
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=auth("manager"), json={"data": {
        "title": "某质量问题分级评审", "summary": "缺陷率3.2%，高于行业先进水平。", "experts": "expert1,expert2,expert3",
        "decision": "approve"}})
    assert done.status_code == 200, done.get_data(as_text=True)
    row = open_task_of(client, auth("expert1"), case["id"])
    assert client.post(f"/api/v1/tasks/{row['id']}/complete", json={"data": APPROVE},
                       headers=auth("expert1")).status_code == 200
    response = client.post(f"/api/v1/instances/{case['id']}/reclaim", headers=auth("expert1"))
    assert_error_shape(response, 409)


@pytest.mark.parametrize("path", ["/api/v1/definitions", "/api/v1/decisions"])
def test_a_deploy_declares_its_upload_body(client, path):
    body = client.get("/api/openapi.json").get_json()["paths"][path]["post"]["requestBody"]
    assert body["content"]["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    assert "application/xml" in body["content"]


def test_a_long_upload_name_keeps_its_extension(client, auth):
    diagram = Path(client.application.config["BPMN_FOLDER"], "consortium_application.bpmn").read_bytes()
    response = client.post("/api/v1/definitions", headers=auth("admin"),
                           data={"file": (io.BytesIO(diagram + b"\n<!-- changed -->\n"), "长" * 300 + ".bpmn")})
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    name = response.get_json()["definition"]["filename"]
    assert name.endswith(".bpmn") and len(name) == 200
