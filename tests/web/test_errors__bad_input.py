"""Bad input on the pages gets a clear 4xx page, never a 500: NUL characters (PostgreSQL cannot
take them), ids beyond any column on every `<int>` route found in `app.url_map`, 405 with its
`Allow` header, malformed export filters, text longer than its column."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Holiday

IDS = ("instance_id", "task_id", "problem_id", "job_id", "cc_id", "notification_id", "consortium_id",
       "definition_id", "n")


def _fill(pattern, values):
    for arg, value in values.items():
        for form in (f"<int:{arg}>", f"<{arg}>"):
            pattern = pattern.replace(form, str(value))
    return pattern


def test_a_nul_at_login_is_a_400_naming_the_field(client):
    for form in ({"username": "admin\x00", "password": "x"}, {"username": "admin", "password": "a\x00b"}):
        response = client.post("/login", data=form)
        assert response.status_code == 400, response.status_code
        assert next(name for name, value in form.items() if "\x00" in value) in response.get_data(as_text=True)
    assert client.get("/login?next=/%00").status_code == 400


def test_a_nul_in_any_page_parameter_is_a_400(browser):
    admin = browser("admin")
    failures = []
    for rule in admin.application.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static")):
            continue
        url = _fill(rule.rule, {**{arg: 1 for arg in IDS}, "kind": "withdraw", "key": "x", "code": "en",
                                "token": "x", "fmt": "csv"})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = admin.open(url + "?q=a%00b", method=method, data={"name": "a\x00b"})
            if response.status_code != 400:
                failures.append((method, url, response.status_code))
    assert failures == []


@pytest.mark.parametrize("big", [2**31, 2**63])
def test_an_id_beyond_any_column_is_a_404_on_every_int_route(browser, big):
    admin = browser("admin")
    failures = []
    for rule in admin.application.url_map.iter_rules():
        if "<int:" not in rule.rule or rule.rule.startswith("/api/"):
            continue
        url = _fill(rule.rule, {**{arg: big for arg in IDS}, "kind": "withdraw"})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = admin.open(url, method=method)
            if response.status_code != 404:
                failures.append((method, url, response.status_code))
    assert failures == []
    assert admin.get(f"/audit/export.csv?case={big}").status_code == 404


def test_a_405_page_says_what_is_allowed(browser):
    response = browser("admin").delete("/tasks")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("query", ["version=abc", "version=99999999999999999999", "from=2026-13-45",
                                   "to=yesterday", "version=%C2%B2"])
def test_an_export_with_a_malformed_filter_is_a_422(browser, query):
    response = browser("auditor").get(f"/audit/export.csv?{query}")
    assert response.status_code == 422, response.status_code
    page = browser("auditor").get(f"/audit/?{query}")
    assert page.status_code == 200


def test_a_calendar_name_longer_than_its_column_is_refused(browser):
    admin = browser("admin")
    response = admin.post("/admin/calendar", data={"day": "2026-10-01", "name": "国庆" * 60}, follow_redirects=True)
    assert response.status_code == 200
    assert "100" in response.get_data(as_text=True)
    assert db.session.execute(select(Holiday).where(Holiday.day == "2026-10-01")).scalar_one_or_none() is None
