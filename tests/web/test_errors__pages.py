"""Errors are pages for the browser and the one JSON shape under /api/; never a stack trace."""
from app.services.workflow import cases

from .conftest import html_lang


def _json_error(response, status):
    assert response.status_code == status and response.is_json
    body = response.get_json()
    assert body["code"] == status and body["status"] and body["message"]
    return body


def test_an_unknown_page_is_an_html_404(client, browser):
    for c in (client, browser("applicant")):
        response = c.get("/no/such/page")
        assert response.status_code == 404 and response.mimetype == "text/html"
        html = response.get_data(as_text=True)
        assert html_lang(response) and "/tasks" in html       # a real page with the way back
        assert "Traceback" not in html


def test_a_missing_record_is_an_html_404_for_the_browser(browser):
    client = browser("city")
    for url in ("/tasks/999999", "/instances/999999", "/consortia/999999"):
        response = client.get(url)
        assert response.status_code == 404 and response.mimetype == "text/html", url


def test_unknown_api_paths_are_json_404(client, browser):
    for c in (client, browser("applicant")):
        for url in ("/api/v1/no-such-thing", "/api/nothing-here", "/api/v1/tasks/not-a-number"):
            _json_error(c.get(url), 404)


def test_a_wrong_method_is_405_as_a_page_or_as_json(browser):
    client = browser("applicant")
    page = client.delete("/tasks")
    assert page.status_code == 405 and page.mimetype == "text/html"
    _json_error(client.delete("/api/v1/tasks"), 405)


def test_a_forbidden_case_is_an_html_403(browser, user):
    case = cases.start_instance(user("applicant"), "consortium_application")
    response = browser("applicant2").get(f"/instances/{case.id}")
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "Not allowed" in response.get_data(as_text=True)
