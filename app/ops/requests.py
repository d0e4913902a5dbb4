"""Per request: an id (X-Request-ID), the access log line (JSON logs only) and the request metrics."""
import logging
import time

from flask import current_app, g, request

from . import logs, metrics

access_log = logging.getLogger("chainq.access")
HEADER = "X-Request-ID"


def init_app(app):
    app.before_request(_begin)      # ops.init_app runs first in create_app: this hook precedes the others
    app.after_request(_finish)
    app.teardown_request(_forget)


def _begin():
    g.request_started = time.perf_counter()
    request_id = logs.sane_request_id(request.headers.get(HEADER)) or logs.new_request_id()
    g.request_id = request_id
    g.request_id_token = logs.current_request_id.set(request_id)


def _finish(response):
    request_id = g.get("request_id")
    if request_id is None:       # a request that failed before the first hook ran
        return response
    response.headers[HEADER] = request_id
    seconds = time.perf_counter() - g.request_started
    endpoint = request.endpoint or "unmatched"      # the rule's name, never the raw path: bounded label values
    metrics.REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    metrics.REQUEST_SECONDS.labels(endpoint, request.method).observe(seconds)
    if current_app.config["LOG_FORMAT"] == "json":     # text logs: the server's own access log serves
        user = g.get("user")
        access_log.info("%s %s %s", request.method, request.path, response.status_code, extra={
            "method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2), "user_id": user.id if user is not None else None})
    return response


def _forget(_exc):
    token = g.pop("request_id_token", None)
    if token is not None:
        logs.current_request_id.reset(token)
