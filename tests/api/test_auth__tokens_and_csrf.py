"""Who may call the API: bearer tokens, the browser session, and CSRF on session writes."""
import re

from app.services import demo

from .conftest import assert_error_shape, csrf_token_of

START = {"process_key": "consortium_application"}


ANONYMOUS = [("get", "/api/v1/tasks"), ("get", "/api/v1/instances"), ("get", "/api/v1/definitions"),
             ("get", "/api/v1/tasks/1"), ("post", "/api/v1/instances"), ("post", "/api/v1/tasks/1/complete")]


def test_anonymous_requests_get_401_in_the_error_shape(client):
    for method, path in ANONYMOUS:
        response = getattr(client, method)(path, json=START if method == "post" else None)
        body = assert_error_shape(response, 401)
        assert body["status"] == "Unauthorized", path


def test_a_bad_bearer_token_is_refused(client):
    for header in ["Bearer not-a-token", "Bearer ", "bearer cq_" + "x" * 43]:
        body = assert_error_shape(client.get("/api/v1/tasks", headers={"Authorization": header}), 401)
        assert "token" in body["message"]


def test_an_issued_token_authenticates_as_its_user(client, auth):
    started = client.post("/api/v1/instances", json=START, headers=auth("applicant"))
    assert started.status_code == 201
    assert started.get_json()["started_by"] == "applicant"
    inbox = client.get("/api/v1/tasks", headers=auth("applicant")).get_json()
    assert [t["element_id"] for t in inbox["items"]] == ["fill_application"]


def test_a_user_may_hold_several_tokens_and_a_revoked_one_is_refused(client, user):
    from app.services.identity import users
    old = users.issue_token(user("city"), "laptop")
    new = users.issue_token(user("city"), "ci")
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {old}"}).status_code == 200
    laptop = next(t for t in users.tokens_of(user("city")) if t.label == "laptop")
    users.revoke_token(user("city"), laptop.id)
    assert_error_shape(client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {old}"}), 401)
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_the_browser_session_can_read_without_a_csrf_header(client, login):
    login(client, "applicant")
    assert client.get("/api/v1/tasks").status_code == 200


def test_with_csrf_switched_off_session_writes_need_no_header(client, login):
    # WTF_CSRF_ENABLED=False (the test configuration) switches the check off for the API as for the pages
    login(client, "applicant")
    assert client.post("/api/v1/instances", json=START).status_code == 201


def _login_with_csrf(client, username):
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return csrf_token_of(client.get("/tasks").get_data(as_text=True))


def test_session_writes_need_the_csrf_header_when_csrf_is_on(csrf_app):
    client = csrf_app.test_client()
    token = _login_with_csrf(client, "applicant")

    refused = client.post("/api/v1/instances", json=START)
    body = assert_error_shape(refused, refused.status_code)
    assert refused.status_code in (400, 401, 403) and "X-CSRFToken" in body["message"]
    forged = client.post("/api/v1/instances", json=START, headers={"X-CSRFToken": "forged"})
    assert forged.status_code in (400, 401, 403)
    assert client.get("/api/v1/instances?mine=true").get_json()["total"] == 0   # nothing was started

    accepted = client.post("/api/v1/instances", json=START, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.get_data(as_text=True)
    assert client.get("/api/v1/instances?mine=true").get_json()["total"] == 1


def test_bearer_token_writes_need_no_csrf_header_even_when_csrf_is_on(csrf_app):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services.identity import users
    token = users.issue_token(db.session.execute(select(User).where(User.username == "applicant")).scalar_one())
    response = csrf_app.test_client().post("/api/v1/instances", json=START,
                                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201


def test_the_api_page_sends_the_csrf_header_so_try_it_out_works_with_the_session(csrf_app):
    client = csrf_app.test_client()
    _login_with_csrf(client, "applicant")
    page = client.get("/api/docs").get_data(as_text=True)
    script = client.get("/static/swagger-init.js").get_data(as_text=True)    # no inline script (CSP)
    assert "/static/swagger-init.js" in page and "requestInterceptor" in script and "X-CSRFToken" in script
    token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    accepted = client.post("/api/v1/instances", json=START, headers={"X-CSRFToken": token})   # as the page sends it
    assert accepted.status_code == 201, accepted.get_data(as_text=True)
