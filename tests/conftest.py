"""Shared fixtures: the app on each database (SQLite file and PostgreSQL), users, clients.

PostgreSQL tests skip when the server is unreachable, unless
CHAINQ_REQUIRE_POSTGRES=1 (as in CI), where they fail instead. Each test gets
a copy of a template database seeded once per process (tests/support.py).
"""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, User
from app.models.states import TaskStatus
from app.services import demo
from tests.support import database_url, drop_test_database, make_app, reset_database  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def _drop_test_database():
    yield
    drop_test_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request):
    return request.param


@pytest.fixture
def app(db_kind, tmp_path):
    """The app on its own copy of the seeded, deployed database (built once per test process)."""
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
