"""The editors' pages: the forms editor's preview renders a schema with the same widgets as a real
task page of that form; administrators only; every POST needs the CSRF token (the JSON endpoints
in the X-CSRFToken header, as the page's script sends it)."""
import html as htmllib
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest

from app.services import demo
from app.services.workflow import definitions

from .conftest import csrf_token_of, form_fields


class _Widgets(HTMLParser):
    """The form's structure: headings, labels and each control's tag, name, type and id (not values,
    which on a task page come from the case)."""

    def __init__(self):
        super().__init__()
        self.found, self._text = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea", "fieldset", "table", "button"):
            self.found.append((tag, attrs.get("name"), attrs.get("type"), attrs.get("id"), attrs.get("class")))
        elif tag in ("h2", "label", "legend", "th"):
            self._text = [tag]

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data.strip())

    def handle_endtag(self, tag):
        if self._text is not None and tag == self._text[0]:
            self.found.append((tag, " ".join(t for t in self._text[1:] if t)))
            self._text = None


def widgets(fragment):
    parser = _Widgets()
    parser.feed(fragment)
    return parser.found


def task_form_part(page):
    """What task.html's task_form macro rendered: from the form's title to its action buttons."""
    body = page.split('<input type="hidden" name="_version"', 1)[1].split(">", 1)[1]
    return body.split('<div class="actions">', 1)[0]


def preview_part(fragment):
    return fragment.split('id="preview-form">', 1)[1].rsplit("</div>", 1)[0]


def _preview(client, key, schema_text, step=""):
    response = client.post(f"/admin/forms/{key}/preview", data={"schema": schema_text, "step": step})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_preview_renders_the_widgets_of_the_task_page(browser, application_form, lang):
    applicant, admin = browser("applicant", lang), browser("admin", lang)
    started = applicant.post("/processes/consortium_application/start")
    url = urlparse(started.location).path
    fill_in = applicant.get(url).get_data(as_text=True)
    schema = definitions.latest("consortium_application").forms["consortium_application"]
    preview = _preview(admin, "consortium_application", json.dumps(schema, ensure_ascii=False))
    assert widgets(preview_part(preview)) == widgets(task_form_part(fill_in))

    submitted = applicant.post(url, data={**form_fields(application_form()), "_action": "complete",
                                          "_version": re.search(r'name="_version" value="(\d+)"', fill_in).group(1)})
    assert submitted.status_code == 302
    leader = browser("leader", lang)
    task_url = [u for u in re.findall(r'href="(/tasks/\d+)"', leader.get("/tasks").get_data(as_text=True))][0]
    version = re.search(r'name="_version" value="(\d+)"', leader.get(task_url).get_data(as_text=True)).group(1)
    leader.post(task_url, data={"_action": "claim", "_version": version})
    review = leader.get(task_url).get_data(as_text=True)
    opinion = definitions.latest("consortium_application").forms["review_opinion"]
    preview = _preview(admin, "review_opinion", json.dumps(opinion), "consortium_application:lead_unit_opinion")
    assert widgets(preview_part(preview)) == widgets(task_form_part(review))          # the opinion is required there
    assert ("input", "decision", "radio", None, None) in widgets(preview_part(preview))


def test_the_preview_lists_the_problems_of_a_broken_schema(browser):
    admin = browser("admin")
    fragment = _preview(admin, "review_opinion", '{\n  "type": "object",\n  "properties": {"a": {"type": "strin"}}\n}')
    assert 'id="schema-problems"' in fragment and 'data-line="3"' in fragment
    assert "properties.a.type" in htmllib.unescape(fragment)


def test_deploying_from_the_page_needs_a_note_and_names_the_new_versions(browser):
    admin = browser("admin")
    schema = definitions.latest("consortium_application").forms["review_opinion"]
    changed = dict(schema, properties=dict(schema["properties"], risk_note={"type": "string", "title": "风险"}))
    refused = admin.post("/admin/forms/review_opinion/edit", data={"schema": json.dumps(changed), "note": ""})
    assert refused.status_code == 422 and "risk_note" in htmllib.unescape(refused.get_data(as_text=True))
    done = admin.post("/admin/forms/review_opinion/edit", data={"schema": json.dumps(changed), "note": "加风险"},
                      follow_redirects=True)
    assert done.status_code == 200 and "consortium_application v2" in done.get_data(as_text=True)
    operations = browser("auditor").get("/audit/operations").get_data(as_text=True)
    assert "Form deployed" in operations                        # the auditors see the admin action


@pytest.mark.parametrize("path", ["/admin/forms", "/admin/forms/review_opinion/edit", "/admin/rules",
                                  "/admin/rules/problem_severity_rules/edit",
                                  "/admin/rules/problem_severity_rules/source.dmn"])
def test_pages_are_for_administrators_only(browser, path):
    assert browser("city").get(path).status_code == 403
    assert browser("admin").get(path).status_code == 200


def test_posts_are_for_administrators_only(browser):
    city = browser("city")
    assert city.post("/admin/forms/review_opinion/preview", data={"schema": "{}"}).status_code == 403
    assert city.post("/admin/rules/problem_severity_rules/check", json={"xml": ""}).status_code == 403
    assert city.post("/admin/rules/problem_severity_rules/deploy", json={"xml": "", "note": "x"}).status_code == 403


def test_every_post_needs_the_csrf_token(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD, "csrf_token": token})
    token = csrf_token_of(client.get("/admin/rules").get_data(as_text=True))
    source = client.get("/admin/rules/problem_severity_rules/source.dmn").get_data(as_text=True)

    assert client.post("/admin/forms/review_opinion/preview", data={"schema": "{}"}).status_code == 400
    assert client.post("/admin/forms/review_opinion/edit", data={"schema": "{}", "note": "x"}).status_code == 400
    assert client.post("/admin/rules/problem_severity_rules/check", json={"xml": source}).status_code == 400
    assert client.post("/admin/rules/problem_severity_rules/deploy", json={"xml": source, "note": "x"}) \
        .status_code == 400

    checked = client.post("/admin/rules/problem_severity_rules/check", json={"xml": source},
                          headers={"X-CSRFToken": token})
    assert checked.status_code == 200 and checked.get_json() == {"problems": []}
    assert client.post("/admin/forms/review_opinion/preview", data={"schema": "{}"},
                       headers={"X-CSRFToken": token}).status_code == 200


def test_the_rules_deploy_answers_problems_or_new_versions(browser):
    admin = browser("admin")
    source = admin.get("/admin/rules/problem_severity_rules/source.dmn").get_data(as_text=True)
    refused = admin.post("/admin/rules/problem_severity_rules/deploy",
                         json={"xml": source.replace("[2.5..4.0[", "[2.5..4.5["), "note": "重叠"})
    assert refused.status_code == 422
    assert refused.get_json()["problems"][0]["decision"] == "problem_severity"
    edited = source.replace("&gt;= 4.0", "&gt;= 3.5").replace("[2.5..4.0[", "[2.5..3.5[")
    done = admin.post("/admin/rules/problem_severity_rules/deploy", json={"xml": edited, "note": "降低门槛"})
    assert done.status_code == 200 and done.get_json()["version"] == 2
    assert {"key": "problem_report", "version": 2} in done.get_json()["redeployed"]
