"""A database that cannot be reached answers 503 with Retry-After, on the pages and the API,
never a 500: PostgreSQL is made to refuse this test's connections for real."""
import pytest

from app.extensions import db
from app.services.identity import users
from tests.support import _admin


@pytest.fixture
def lost_database(app, db_kind):
    if db_kind != "postgresql":
        pytest.skip("the server is stopped for one database only on PostgreSQL")
    name = db.engine.url.database

    def lose():
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    yield lose
    _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def _assert_503(response):
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert int(response.headers["Retry-After"]) > 0


def test_a_lost_database_is_a_503_on_the_api(client, user, lost_database):
    headers = {"Authorization": f"Bearer {users.issue_token(user('applicant'))}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    lost_database()
    response = client.get("/api/v1/tasks", headers=headers)
    _assert_503(response)
    assert response.get_json()["code"] == 503


def test_a_lost_database_is_a_503_page(browser, lost_database):
    applicant = browser("applicant")
    assert applicant.get("/tasks").status_code == 200
    lost_database()
    _assert_503(applicant.get("/tasks"))
    _assert_503(applicant.post("/tasks/1", data={"decision": "approve"}))
