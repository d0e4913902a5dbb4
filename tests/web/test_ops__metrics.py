"""Prometheus metrics at /metrics: requests, latency, open incidents; for the monitoring system only."""
import re

from sqlalchemy import update

from app.extensions import db
from app.models import TimerJob
from app.models.jobs import JobStatus
from app.services.workflow import cases, deploy
from tests.services.test_timers__jobs import timer_diagram


def sample(text, name, **labels):
    """The value of one sample in the exposition text, 0 when absent."""
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:{{(.*)}})? (\S+)", line)
        if match:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(match.group(2))
    return 0.0


def scrape(client, **kwargs):
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


def test_requests_are_counted_by_endpoint_method_and_status_and_timed(client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page")
    after = scrape(client)
    ok = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    assert sample(after, "chainq_http_requests_total", **ok) - sample(before, "chainq_http_requests_total", **ok) == 2
    missing = {"endpoint": "unmatched", "method": "GET", "status": "404"}
    assert sample(after, "chainq_http_requests_total", **missing) - \
        sample(before, "chainq_http_requests_total", **missing) == 1
    timed = {"endpoint": "ops.healthz", "method": "GET"}
    assert sample(after, "chainq_http_request_duration_seconds_count", **timed) - \
        sample(before, "chainq_http_request_duration_seconds_count", **timed) == 2
    assert "chainq_http_request_duration_seconds_bucket" in after


def test_open_incidents_are_counted_from_the_job_table(client, user):
    deploy.deploy(user("admin"), timer_diagram("metrics_incident", "PT1H"), "metrics_incident.bpmn")
    case = cases.start_instance(user("applicant"), "metrics_incident")
    assert sample(scrape(client), "chainq_open_incidents") == 0
    db.session.execute(update(TimerJob).where(TimerJob.instance_id == case.id).values(status=JobStatus.INCIDENT))
    db.session.commit()
    assert sample(scrape(client), "chainq_open_incidents") == 1


def test_only_loopback_clients_not_behind_a_proxy_may_scrape_without_a_token(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_with_a_token_every_scrape_needs_it(app, client):
    app.config["METRICS_TOKEN"] = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    remote = {"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": "Bearer s3cret-token"}
    assert client.get("/metrics", environ_base=remote).status_code == 200
