"""An account an administrator created or reset, or a demo account outside demo mode, chooses its
own password before anything else: every page leads to the password page, the API refuses it
(session and token alike), and the setting is off by default in demo mode only."""
import re

import pytest

from app.services import demo
from app.services.identity import accounts, users
from tests.support import database_url, make_app


@pytest.fixture
def forced(app):
    app.config["FORCE_PASSWORD_CHANGE"] = True
    return app


def created_by_admin(user, username="zhao"):
    account, password = accounts.create_account(user("admin"), accounts.AccountInput(
        username=username, display_name="赵工", groups=["experts"]))
    return account, password


def log_in(client, username, password):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.data[:300]
    return response


def test_every_page_leads_to_the_password_page_until_it_is_changed(forced, browser, user):
    _account, password = created_by_admin(user)
    client = browser()
    landing = log_in(client, "zhao", password)
    inbox = client.get(landing.location)
    assert inbox.status_code == 302 and inbox.location.startswith("/password")
    for path in ("/tasks", "/profile", "/admin/users", "/cases"):
        assert client.get(path).location.startswith("/password"), path
    page = client.get("/password")
    assert page.status_code == 200 and 'id="password-must-change"' in page.text
    assert "At least 8 characters, not your user name" in page.text
    refused = client.post("/password", data={"current_password": password, "new_password": "zhao"})
    assert refused.status_code == 422 and "at least 8 characters" in refused.text
    done = client.post("/password?next=/tasks", data={"current_password": password, "new_password": "zhao-own-pw"})
    assert done.status_code == 302 and done.location == "/tasks"
    assert client.get("/tasks").status_code == 200
    assert client.post("/logout").status_code == 302


def test_the_api_refuses_the_session_and_the_tokens_of_such_an_account(forced, browser, user):
    account, password = created_by_admin(user)
    token = users.issue_token(account)
    client = browser()
    log_in(client, "zhao", password)
    refused = client.get("/api/v1/tasks")
    assert refused.status_code == 403 and "Change your password first" in refused.json["message"]
    by_token = browser().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert by_token.status_code == 403
    client.post("/password", data={"current_password": password, "new_password": "zhao-own-pw"})
    assert browser().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_demo_account_changes_the_demo_password_first_outside_demo_mode(forced, browser):
    client = browser()
    log_in(client, "city", demo.DEMO_PASSWORD)
    assert client.get("/tasks").location.startswith("/password")
    assert client.post("/lang/zh_CN").status_code == 302        # the language can still be chosen


def test_the_setting_is_on_unless_in_demo_mode(tmp_path):
    url = database_url("sqlite", tmp_path)
    assert make_app(url, tmp_path, FORCE_PASSWORD_CHANGE=None).config["FORCE_PASSWORD_CHANGE"] is True
    assert make_app(url, tmp_path, FORCE_PASSWORD_CHANGE=None, DEMO_MODE=True).config["FORCE_PASSWORD_CHANGE"] is False
    assert make_app(url, tmp_path, FORCE_PASSWORD_CHANGE=True, DEMO_MODE=True).config["FORCE_PASSWORD_CHANGE"] is True


def test_without_the_setting_a_demo_account_goes_straight_to_its_inbox(app, browser):
    client = browser("city")
    assert client.get("/tasks").status_code == 200


def test_the_profile_page_states_the_policy_and_refuses_the_user_name(browser):
    client = browser("expert1")
    page = client.get("/profile")
    assert re.search(r"At least 8 characters, not your user name", page.text)
    refused = client.post("/profile/password", data={"current_password": demo.DEMO_PASSWORD,
                                                     "new_password": "Expert1"})
    assert refused.status_code == 422 and "must not be the user name" in refused.text
