"""Prometheus metrics (prometheus_client), for gunicorn's worker processes too.

With PROMETHEUS_MULTIPROC_DIR set (an empty folder, shared by the workers and
the scheduler of one host), every process writes its values there and a scrape
of /metrics adds them up (the library's multiprocess mode). Without it, the
values of this process are shown.

The open-incidents gauge is counted from the timer-job table at scrape time
(one indexed count), so every process shows the same, true number.
"""
import logging
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

REQUESTS = Counter("chainq_http_requests", "HTTP requests served, by endpoint, method and status",
                   ["endpoint", "method", "status"])
REQUEST_SECONDS = Histogram("chainq_http_request_duration_seconds", "Time to serve a request, by endpoint and method",
                            ["endpoint", "method"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
TIMER_LAG = Histogram("chainq_timer_lag_seconds", "From a timer job's due time to the commit of its firing, by kind",
                      ["kind"], buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600))
CONTENT_TYPE = CONTENT_TYPE_LATEST


def multiprocess():
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class OpenIncidents:
    """A collector: timer jobs parked as incidents, counted when scraped."""

    def __init__(self, count):
        self.count = count

    def collect(self):
        try:
            value = self.count()
        except SQLAlchemyError as exc:      # the database is down: the gauge is absent, the scrape still answers
            log.warning("open incidents not counted: %s", type(exc).__name__)
            return
        gauge = GaugeMetricFamily("chainq_open_incidents",
                                  "Timer jobs parked as incidents, waiting for an administrator")
        gauge.add_metric([], value)
        yield gauge


def registry(count_incidents=None):
    """What one scrape shows: this host's processes (multiprocess mode) or this process, plus incidents."""
    scrape = CollectorRegistry()
    if multiprocess():
        MultiProcessCollector(scrape)
    else:
        scrape.register(REGISTRY)
    if count_incidents is not None:
        scrape.register(OpenIncidents(count_incidents))
    return scrape


def exposition(count_incidents=None):
    return generate_latest(registry(count_incidents))


def serve(port, address="127.0.0.1"):
    """A metrics endpoint of its own, for a scheduler process on a host without app workers."""
    return start_http_server(port, addr=address, registry=registry())
