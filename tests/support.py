"""Test helpers shared by every conftest: databases and app construction.

A plain module (imported as `tests.support`), so its state (the per-process
PostgreSQL database) exists once however many conftests import it.
"""
import contextvars
import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from app.services import demo
from app.services.workflow import deploy

PG_URL = os.environ.get("CHAINQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/chainq_test")
REQUIRE_PG = os.environ.get("CHAINQ_REQUIRE_POSTGRES") == "1"
_pg_state = {}


def _admin_engine():
    server = PG_URL.rsplit("/", 1)[0]
    return create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")


def postgres_available():
    """A database of this test process's own (test runs in parallel must not share tables)."""
    if "ok" not in _pg_state:
        try:
            server, name = PG_URL.rsplit("/", 1)
            name = f"{name}_{os.getpid()}"
            engine = _admin_engine()
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            engine.dispose()
            _pg_state["ok"], _pg_state["url"], _pg_state["name"] = True, f"{server}/{name}", name
        except Exception as exc:  # unreachable server, missing driver
            _pg_state["ok"] = False
            _pg_state["why"] = str(exc)
    if not _pg_state["ok"]:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (CHAINQ_REQUIRE_POSTGRES=1) but unreachable: {_pg_state['why']}")
        pytest.skip(f"PostgreSQL unreachable: {_pg_state['why']}")
    return _pg_state["url"]







def database_url(kind, tmp_path):
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'chainq-test.db'}"
    return postgres_available()


def make_app(url, tmp_path, **extra):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(tmp_path / "uploads"),
              "WTF_CSRF_ENABLED": False, "DEPLOY_ON_START": False, "SECRET_KEY": "test-secret",
              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    config.update(extra)
    return create_app(config)


def reset_database():
    db.session.remove()
    db.drop_all()
    db.create_all()
    demo.seed_accounts()
    deploy.deploy_folder()


def drop_test_database():
    if _pg_state.get("ok"):
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_pg_state["name"]}" WITH (FORCE)'))
        engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request gets a new app context, as behind a real server: the session, `g` and
    the locale never leak from one request to the next."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


class StatementLog:
    """The SQL a block runs, as the database sees it (whitespace collapsed): `with StatementLog() as sql:`."""

    def __enter__(self):
        from sqlalchemy import event

        from app.extensions import db
        self.seen, self._engine = [], db.engine
        event.listen(self._engine, "before_cursor_execute", self._grab)
        return self

    def _grab(self, _conn, _cursor, statement, *_args):
        self.seen.append(" ".join(statement.split()))

    def __exit__(self, *exc):
        from sqlalchemy import event
        event.remove(self._engine, "before_cursor_execute", self._grab)

    def starting(self, prefix):
        return [s for s in self.seen if s.upper().startswith(prefix)]
