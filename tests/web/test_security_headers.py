"""Every response carries the security headers; no template holds an inline script; downloads are attachments."""
import re
from pathlib import Path

from .test_views__attachments import PDF, attachment_links, upload

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def _assert_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_api_answers_and_the_api_docs_carry_the_headers(browser):
    client = browser("city")
    for path in ("/login", "/tasks", "/profile", "/api/v1/tasks", "/api/docs", "/api/openapi.json", "/no-such-page"):
        _assert_headers(client.get(path))


def test_no_template_has_an_inline_script_or_event_handler():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{path.name}: inline script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path.name}: inline event handler"
        assert "javascript:" not in text, path.name


def test_the_api_docs_page_is_set_up_by_a_script_file(browser):
    html = browser("city").get("/api/docs").get_data(as_text=True)
    assert "/static/swagger-init.js" in html and 'data-spec-url="/api/openapi.json"' in html


def test_downloads_are_attachments_and_not_sniffed(browser, user):
    client = browser("applicant")
    url = client.post("/processes/consortium_application/start").location
    upload(client, url, [("plan.pdf", PDF)], {"consortium_name": "x"})
    token = attachment_links(client.get(url).get_data(as_text=True))[0][0]
    auditor = browser("auditor")
    for response in (client.get(f"/attachments/{token}"), auditor.get("/audit/export.csv"),
                     auditor.get("/problems/export.xlsx"), client.get("/instances/1/diagram.xml")):
        assert response.status_code == 200, response.request.path
        assert response.headers["Content-Disposition"].startswith("attachment"), response.request.path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
