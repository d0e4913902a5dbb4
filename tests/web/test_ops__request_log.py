"""Request ids and structured logs: every response names its request, every log line of it too."""
import json
import logging

import pytest

from app.ops.logs import JsonFormatter


@pytest.fixture
def json_app(app):
    app.config["LOG_FORMAT"] = "json"
    return app


def access_lines(caplog):
    return [r for r in caplog.records if r.name == "chainq.access"]


def test_a_sane_request_id_is_kept_and_returned(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.42"


@pytest.mark.parametrize("sent", [None, "", "two words", "forged;line", "x" * 129, "<script>"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, sent):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    first = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert first != sent and len(first) == 32 and first != second


def test_json_logs_write_one_line_per_request_with_its_fields(json_app, browser, user, caplog):
    caplog.set_level(logging.INFO)
    client = browser("applicant")
    caplog.clear()
    client.get("/tasks", headers={"X-Request-ID": "req-1"})
    [record] = access_lines(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-1" and line["method"] == "GET" and line["path"] == "/tasks"
    assert line["status"] == 200 and line["duration_ms"] > 0 and line["level"] == "INFO"
    assert line["user_id"] == user("applicant").id


def test_text_logs_leave_the_access_log_to_the_server(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/healthz")
    assert access_lines(caplog) == []


def test_an_unexpected_error_is_logged_with_the_request_id(json_app, caplog):
    def broken():
        raise RuntimeError("boom")
    json_app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    response = json_app.test_client().get("/broken-for-test", headers={"X-Request-ID": "trace-me"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "trace-me"
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    line = json.loads(JsonFormatter().format(error))
    assert line["request_id"] == "trace-me" and "RuntimeError: boom" in line["exc"]
    assert [json.loads(JsonFormatter().format(r))["status"] for r in access_lines(caplog)] == [500]
