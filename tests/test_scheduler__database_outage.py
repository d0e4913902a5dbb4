"""The scheduler against a PostgreSQL database that goes away and comes back.

The database is made unreachable for real: new connections are refused
(`ALTER DATABASE … ALLOW_CONNECTIONS false`) and the open ones are ended
(`pg_terminate_backend`). The scheduler must log one line per attempt, no
traceback, try less and less often (exponential backoff, capped), and fire the
timer that fell due during the outage once the database is back.
"""
import logging
import time

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, select, text

from app.extensions import db
from app.models import TimerJob
from app.scheduler import Scheduler
from app.services.workflow import cases, deploy
from tests.services.test_timers__jobs import timer_diagram
from tests.support import database_url, make_app, reset_database

OUTAGE_SECONDS = 4.0


@pytest.fixture
def pg_app(tmp_path):
    app = make_app(database_url("postgresql", tmp_path), tmp_path)
    with app.app_context():
        reset_database()
        yield app
        db.session.remove()
        db.engine.dispose()


class Outage:
    """Takes the app's database away (refuses and ends its connections) and gives it back."""

    def __init__(self, url):
        server, self.name = url.rsplit("/", 1)
        self.admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")

    def begin(self):
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": self.name})

    def end(self):
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))
        self.admin.dispose()


def _job(instance_id):
    db.session.rollback()
    return db.session.execute(select(TimerJob).where(TimerJob.instance_id == instance_id)).scalar_one()


def _lag_count():
    return REGISTRY.get_sample_value("chainq_timer_lag_seconds_count", {"kind": "bpmn_timer"}) or 0.0


@pytest.mark.postgres_only
def test_the_scheduler_backs_off_while_the_database_is_gone_and_fires_when_it_returns(pg_app, user, caplog):
    caplog.set_level(logging.INFO, logger="app.scheduler")
    deploy.deploy(user("admin"), timer_diagram("outage_case", "PT2S"), "outage_case.bpmn")
    case = cases.start_instance(user("applicant"), "outage_case")      # due in 2 s: during the outage
    db.session.remove()
    lag_before = _lag_count()
    outage = Outage(pg_app.config["SQLALCHEMY_DATABASE_URI"])
    scheduler = Scheduler(pg_app, recheck_seconds=0.1, backoff_max_seconds=0.8).start()
    try:
        outage.begin()
        time.sleep(OUTAGE_SECONDS)
        during = [r for r in caplog.records if r.name == "app.scheduler" and r.levelno >= logging.WARNING]
        outage.end()
        deadline = time.monotonic() + 10
        while _job(case.id).status != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        outage.end()
        scheduler.shutdown()
    # 40 rechecks of 0.1 s without backoff; with it 0.1, 0.2, 0.4, 0.8, 0.8 … s apart: under ten
    assert 2 <= len(during) <= 10, [r.getMessage() for r in during]
    assert all(r.exc_info is None and "database unavailable" in r.getMessage() for r in during)
    assert all(r.request_id.startswith(("recheck-", "timers-")) for r in during)
    job = _job(case.id)
    assert job.status == "done" and job.fired == 1
    assert any("database available again" in r.getMessage() for r in caplog.records)
    assert _lag_count() == lag_before + 1
