"""With CSRF protection on (as in production), a form post without the token changes nothing."""
from urllib.parse import urlparse

from app.services import demo

from .conftest import csrf_token_of


def _login(client, username="applicant"):
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    refused = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD})
    assert refused.status_code == 400                      # the login form is protected too
    response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return csrf_token_of(client.get("/tasks").get_data(as_text=True))


def _my_cases(client):
    return client.get("/api/v1/instances?mine=true").get_json()["total"]


def test_start_without_the_csrf_token_is_refused_and_creates_nothing(csrf_app):
    client = csrf_app.test_client()
    token = _login(client)

    refused = client.post("/processes/consortium_application/start")
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    forged = client.post("/processes/consortium_application/start", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert _my_cases(client) == 0

    started = client.post("/processes/consortium_application/start", data={"csrf_token": token})
    assert started.status_code == 302 and urlparse(started.location).path.startswith("/tasks/")
    assert _my_cases(client) == 1


def test_a_token_from_another_session_does_not_work(csrf_app):
    mallory, victim = csrf_app.test_client(), csrf_app.test_client()
    stolen = _login(mallory, "applicant2")
    _login(victim, "applicant")
    assert victim.post("/processes/consortium_application/start", data={"csrf_token": stolen}).status_code == 400
    assert _my_cases(victim) == 0


def test_logout_needs_the_token_too(csrf_app):
    client = csrf_app.test_client()
    token = _login(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/tasks").status_code == 200             # still logged in
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/tasks").status_code == 302
