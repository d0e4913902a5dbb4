"""Endpoints for the machines that run the app: liveness, readiness, metrics.

Unauthenticated and cheap: no login session is read (web.load_user skips this
blueprint), /healthz touches nothing, /readyz runs one `SELECT 1`. /metrics is
for the monitoring system only: with METRICS_TOKEN set it needs
`Authorization: Bearer <token>`; without, it answers loopback clients that
did not come through a proxy (no X-Forwarded-For / Forwarded header).
"""
import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request

from ..services import health
from ..services.workflow import timer_jobs
from . import metrics

bp = Blueprint("ops", __name__)
LOOPBACK = {"127.0.0.1", "::1"}


@bp.route("/healthz")
def healthz():
    """The process is up and serving (no database: a database outage must not restart the workers)."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    """Ready for traffic: the database answers a trivial query; 503 when it does not."""
    if health.database_ready():
        return jsonify(status="ok", database="ok")
    return jsonify(status="unavailable", database="unreachable"), 503


@bp.route("/metrics")
def prometheus_metrics():
    if not _may_scrape():
        abort(403)
    return Response(metrics.exposition(timer_jobs.open_incident_count), mimetype=None,
                    content_type=metrics.CONTENT_TYPE)


def _may_scrape():
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    proxied = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return request.remote_addr in LOOPBACK and not proxied
