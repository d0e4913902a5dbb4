"""Fixtures for the browser views driven through the Flask test client.

Every request runs in its own application context, as behind a real server,
so the language choice, `g.user` and the database session never leak from
one request to the next."""
import re

import pytest

from tests.support import FreshContextClient


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def browser(app, login):
    """browser('applicant') -> a fresh test client logged in as that demo user, UI in English."""
    def make(username=None, lang="en"):
        app.test_client_class = FreshContextClient
        client = app.test_client()
        if lang:
            client.post(f"/lang/{lang}")
        if username:
            login(client, username)
        return client
    return make


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF protection on, as in production (Flask-WTF reads the switch per request)."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = FreshContextClient
    return app


def csrf_token_of(html):
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no csrf-token meta tag"
    return match.group(1)


def html_lang(response):
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    return match and match.group(1)


def form_fields(data):
    """Application data as the HTML form posts it: table rows as members-<row>-<column>."""
    fields = {}
    for name, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for row, item in enumerate(value):
                for column, cell in item.items():
                    fields[f"{name}-{row}-{column}"] = cell
        else:
            fields[name] = value
    return fields


def task_id_of(location):
    match = re.fullmatch(r"/tasks/(\d+)", location)
    assert match, location
    return int(match.group(1))
