"""Fixtures for the JSON API tests: a client whose every request runs in its own
application context (as in production), bearer-token headers, a CSRF-enabled app."""
import re

import pytest

from app.services.identity import users
from tests.support import FreshContextClient

APPROVE = {"decision": "approve", "opinion": "同意"}


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def auth(user):
    """auth('city') -> {"Authorization": "Bearer <a fresh token for city>"}."""
    cache = {}

    def headers(username):
        if username not in cache:
            cache[username] = {"Authorization": f"Bearer {users.issue_token(user(username))}"}
        return cache[username]
    return headers


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF protection on, as in production. Flask-WTF and the API read the
    switch on each request, so turning it on here equals building the app with it (and the
    test database stays the one the `app` fixture made: no second copy of the root conftest)."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = FreshContextClient
    return app


def csrf_token_of(html):
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no csrf-token meta tag"
    return match.group(1)


def assert_error_shape(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.is_json
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "status", "message", "errors"}
    return body
