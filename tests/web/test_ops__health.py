"""Health and readiness: unauthenticated, cheap, no login session; readiness tells a dead database."""
from tests.support import StatementLog, make_app


def test_healthz_answers_without_touching_the_database_or_the_session(client):
    with StatementLog() as sql:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert sql.seen == []
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_readyz_runs_one_query_when_the_database_answers(client):
    with StatementLog() as sql:
        response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"
    assert len(sql.seen) == 1 and "Set-Cookie" not in response.headers


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path, caplog):
    # a real PostgreSQL URL on a port where nothing listens: the connection is refused
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/nothing", tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"
    warnings = [r for r in caplog.records if "readiness" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].exc_info is None       # one line, no traceback
    assert app.test_client().get("/healthz").status_code == 200      # the process itself is fine
