"""Logging in and out, safe redirects after login, and the UI language."""
from urllib.parse import urlparse

from app.services import demo

from .conftest import html_lang


def test_login_page_renders_a_form(client):
    response = client.get("/login")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html and 'type="password"' in html
    assert 'name="csrf_token"' in html


def test_wrong_password_or_unknown_user_shows_an_error(client):
    for username, password in [("applicant", "wrong"), ("nobody", demo.DEMO_PASSWORD), ("applicant", "")]:
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 401
        assert 'role="alert"' in response.get_data(as_text=True)
    assert client.get("/tasks").status_code == 302   # still not logged in


def test_login_then_home_goes_to_the_inbox(client, login):
    login(client, "applicant")
    home = client.get("/")
    assert home.status_code == 302 and urlparse(home.location).path == "/tasks"
    inbox = client.get("/tasks")
    assert inbox.status_code == 200 and 'id="inbox-table"' in inbox.get_data(as_text=True)


def test_pages_need_a_login_and_come_back_after_it(client):
    response = client.get("/instances/mine")
    assert response.status_code == 302 and urlparse(response.location).path == "/login"
    back = client.post(response.location, data={"username": "applicant", "password": demo.DEMO_PASSWORD})
    assert back.status_code == 302 and urlparse(back.location).path == "/instances/mine"


def test_next_pointing_off_site_is_not_followed(client):
    for target in ["https://evil.example/", "//evil.example/x", "http:evil.example", "/\\evil.example",
                   "javascript:alert(1)", "evil.example"]:
        response = client.post("/login", query_string={"next": target},
                               data={"username": "applicant", "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, target
        location = urlparse(response.location)
        assert location.scheme in ("", "http") and location.netloc in ("", "localhost"), (target, response.location)
        assert location.path.startswith("/") and not location.path.startswith("//"), (target, response.location)
        assert "evil.example" not in location.netloc


def test_logout_ends_the_session(client, login):
    login(client, "applicant")
    assert client.post("/logout").status_code == 302
    assert client.get("/tasks").status_code == 302
    assert client.get("/api/v1/tasks").status_code == 401


def test_default_language_is_chinese(client, login):
    assert html_lang(client.get("/login")) == "zh-CN"
    login(client, "applicant")
    assert html_lang(client.get("/tasks")) == "zh-CN"


def test_switching_to_english_and_back(client, login):
    login(client, "applicant")
    switched = client.post("/lang/en", data={"next": "/tasks"})
    assert switched.status_code == 302 and urlparse(switched.location).path == "/tasks"
    page = client.get("/tasks")
    assert html_lang(page) == "en" and "Inbox" in page.get_data(as_text=True)
    client.post("/lang/zh_CN")
    assert html_lang(client.get("/tasks")) == "zh-CN"


def test_language_choice_survives_logging_in_and_out(client, login):
    client.post("/lang/en")
    assert html_lang(client.get("/login")) == "en"
    login(client, "applicant")
    assert html_lang(client.get("/tasks")) == "en"
    client.post("/logout")
    assert html_lang(client.get("/login")) == "en"


def test_the_language_chosen_while_logged_in_is_the_users_own_on_another_browser(app, client, login):
    login(client, "applicant")
    client.post("/lang/en")
    other = app.test_client()                 # another browser: nothing chosen there yet
    assert html_lang(other.get("/login")) == "zh-CN"
    login(other, "applicant")
    assert html_lang(other.get("/tasks")) == "en"
    third = app.test_client()
    third.post("/lang/zh_CN")                 # chosen on the login page: it wins in this browser
    login(third, "applicant")
    assert html_lang(third.get("/tasks")) == "zh-CN"
    third.post("/lang/zh_CN")                 # chosen while logged in: kept as the user's own
    fourth = app.test_client()
    login(fourth, "applicant")
    assert html_lang(fourth.get("/tasks")) == "zh-CN"


def test_unknown_language_and_off_site_next_are_ignored(client):
    response = client.post("/lang/xx", data={"next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response.location
    assert html_lang(client.get("/login")) == "zh-CN"


def test_headings_show_the_chinese_term_beside_the_english_only(browser):
    chinese = browser("applicant", lang="zh").get("/tasks").get_data(as_text=True)
    assert "<h1>待办</h1>" in chinese                       # not "待办 待办"
    english = browser("applicant", lang="en").get("/tasks").get_data(as_text=True)
    assert "<h1>Inbox <small>待办</small></h1>" in english


def test_a_wrong_credit_code_is_explained_in_the_users_language(app):
    from flask_babel import force_locale

    from app.services.workflow import forms
    schema = {"type": "object", "properties": {"code": {"type": "string", "format": "uscc"}}}
    with app.test_request_context(), force_locale("zh_CN"):
        errors = forms.field_errors(schema, {"code": "91350100M000100Y44"})
    assert errors == {"code": ["统一社会信用代码无效：校验码应为“3”"]}
    with app.test_request_context(), force_locale("en"):
        errors = forms.field_errors(schema, {"code": "913"})
    assert errors == {"code": ["Not a valid unified social credit code: must be 18 characters (got 3)"]}
