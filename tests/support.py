"""Test helpers shared by every conftest: databases and app construction.

A plain module (imported as `tests.support`), so its state (the per-process
PostgreSQL database, the seeded templates) exists once however many conftests
import it.

Every test starts from the demo accounts and the shipped diagrams deployed.
Seeding and deploying them costs far more than copying a database, so they are
built once per test process into a template (a SQLite file, a PostgreSQL
database) and `reset_database()` gives each test a copy: the same rows and the
same ids (the app caches compiled definitions by id).
"""
import contextvars
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from app.services import demo
from app.services.workflow import definitions, deploy

PG_URL = os.environ.get("CHAINQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/chainq_test")
REQUIRE_PG = os.environ.get("CHAINQ_REQUIRE_POSTGRES") == "1"
_pg_state = {}
_templates = {}   # "folder": this process's scratch folder; "sqlite": template file; "postgresql": database name


def _admin_engine():
    if "admin" not in _pg_state:
        server = PG_URL.rsplit("/", 1)[0]
        _pg_state["admin"] = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    return _pg_state["admin"]


def _admin(*statements):
    with _admin_engine().connect() as conn:
        for statement in statements:
            conn.execute(text(statement))


def postgres_available():
    """A database of this test process's own (test runs in parallel must not share tables)."""
    if "ok" not in _pg_state:
        try:
            server, name = PG_URL.rsplit("/", 1)
            name = f"{name}_{os.getpid()}"
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
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
              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
              # the demo accounts log in with the demo password, as in `make run` (tests of the
              # forced change turn it on)
              "FORCE_PASSWORD_CHANGE": False}
    config.update(extra)
    return create_app(config)


def reset_database():
    """Replace the current app's database with a copy of the seeded, deployed template.

    The app's connections are closed first: SQLite would keep reading a replaced file
    through them, and PostgreSQL cannot drop a database that has sessions."""
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        _copy_sqlite_template(url.database)
    else:
        _copy_postgres_template(url.database)
    # Deploying compiles the newest definitions into the deploying app's cache; the template's
    # app did that, so this app does it too, and each test starts with the cache it had before.
    for definition in definitions.list_latest():
        definitions.compiled(definition)
    db.session.remove()


def _folder():
    if "folder" not in _templates:
        _templates["folder"] = Path(tempfile.mkdtemp(prefix=f"chainq-templates-{os.getpid()}-"))
    return _templates["folder"]


def _seed(url):
    """The state every test starts from, built by an app of its own (a test's app gets a
    copy of the database, and compiles its own definitions: nothing compiled is shared)."""
    app = make_app(url, _folder())
    with app.app_context():
        db.create_all()
        demo.seed_accounts()
        deploy.deploy_folder()
        db.session.remove()
        if url.startswith("sqlite"):
            # the whole database in the main file, so that copying that file copies everything
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()


def _copy_sqlite_template(path):
    if "sqlite" not in _templates:
        template = _folder() / "template.db"
        _seed(f"sqlite:///{template}")
        if os.path.exists(f"{template}-wal") and os.path.getsize(f"{template}-wal"):
            raise RuntimeError(f"{template}-wal still holds pages after the checkpoint: a copy would miss them")
        _templates["sqlite"] = template
    for leftover in (f"{path}-wal", f"{path}-shm", f"{path}-journal"):   # a log of the replaced file
        if os.path.exists(leftover):
            os.remove(leftover)
    shutil.copy(_templates["sqlite"], path)


def _copy_postgres_template(name):
    """Give the test database the template's rows. A full copy (`CREATE DATABASE … TEMPLATE`) takes
    about 0.6 s; putting the rows back takes a twentieth of that, so that is done whenever the
    database still has the template's schema and nobody holds its rows (else: the full copy)."""
    if "postgresql" not in _templates:
        server, own = postgres_available().rsplit("/", 1)
        template = f"{own}_template"
        _admin(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)', f'CREATE DATABASE "{template}"')
        # no connection may stay open on a template while it is copied: _seed disposes its engine
        _seed(f"{server}/{template}")
        _templates["postgresql"] = template
        _templates["pg_server"] = server
        _keep_seed_rows(f"{server}/{template}")
    if _templates.get("pg_copied") == name and _put_seed_rows_back(f"{_templates['pg_server']}/{name}"):
        return
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
           f'CREATE DATABASE "{name}" TEMPLATE "{_templates["postgresql"]}"')
    _templates["pg_copied"] = name


# The template keeps a copy of its rows in schema `seed`, and a fingerprint of its tables' columns:
# a test database whose schema no longer matches (a migration test rebuilt it) is copied again in full.
_FINGERPRINT = """SELECT md5(string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY
                  table_name, ordinal_position)) FROM information_schema.columns WHERE table_schema = 'public'"""


def _keep_seed_rows(url):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA seed"))
        for table in db.metadata.sorted_tables:
            conn.execute(text(f'CREATE TABLE seed."{table.name}" AS SELECT * FROM public."{table.name}"'))
        _templates["pg_fingerprint"] = conn.execute(text(_FINGERPRINT)).scalar()
    engine.dispose()


def _put_seed_rows_back(url):
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))     # a test that left a lock: copy in full
            if conn.execute(text(_FINGERPRINT)).scalar() != _templates["pg_fingerprint"]:
                return False
            conn.execute(text("SET LOCAL session_replication_role = replica"))   # rows go back in any order
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(text(f'DELETE FROM public."{table.name}"'))
            for table in db.metadata.sorted_tables:
                conn.execute(text(f'INSERT INTO public."{table.name}" SELECT * FROM seed."{table.name}"'))
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (column.autoincrement == "auto" and
                                                        column.type.python_type is int):
                        conn.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('public.\"{table.name}\"', '{column.name}'), "
                            f'COALESCE((SELECT MAX("{column.name}") FROM public."{table.name}"), 0) + 1, false)'))
        return True
    except Exception:   # whatever stands in the way (locks, a broken schema): the full copy
        return False
    finally:
        engine.dispose()


def drop_test_database():
    """At the end of the session: this process's PostgreSQL databases and template files."""
    if _pg_state.get("ok"):
        names = [_pg_state["name"]] + ([_templates["postgresql"]] if "postgresql" in _templates else [])
        _admin(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names))
    if "admin" in _pg_state:
        _pg_state.pop("admin").dispose()
    if "folder" in _templates:
        shutil.rmtree(_templates.pop("folder"), ignore_errors=True)
    _templates.clear()


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
