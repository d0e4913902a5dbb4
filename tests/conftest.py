"""Shared fixtures: the app on each database (SQLite file and PostgreSQL), users, clients.

PostgreSQL tests skip when the server is unreachable, unless
CHAINQ_REQUIRE_POSTGRES=1 (as in CI), where they fail instead.
"""
import os

import pytest
from sqlalchemy import create_engine, select, text

from app import create_app
from app.extensions import db
from app.models import HumanTask, User
from app.models.states import TaskStatus
from app.services import definitions, demo

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


@pytest.fixture(scope="session", autouse=True)
def _drop_test_database():
    yield
    if _pg_state.get("ok"):
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_pg_state["name"]}" WITH (FORCE)'))
        engine.dispose()


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
    definitions.deploy_folder()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request):
    return request.param


@pytest.fixture
def app(db_kind, tmp_path):
    app = make_app(database_url(db_kind, tmp_path), tmp_path)
    with app.app_context():
        reset_database()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def user():
    """user('district_tianhe') -> the User row (demo accounts exist in every test database)."""
    def get(username):
        return db.session.execute(select(User).where(User.username == username)).scalar_one()
    return get


@pytest.fixture
def open_task():
    """open_task(instance) -> its single open HumanTask."""
    def get(instance):
        return db.session.execute(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalar_one()
    return get


@pytest.fixture
def login():
    """login(client, username) logs the test client in as a demo user."""
    def do(client, username, password=demo.DEMO_PASSWORD):
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, response.data[:500]
        return client
    return do


@pytest.fixture
def application_form():
    """A valid App. A form for the given district (member credit codes computed, not invented)."""
    def make(district="tianhe", name="智能装备", members=2):
        return demo.application_data(name, name, district, "广州测试牵头单位有限公司", members)
    return make
