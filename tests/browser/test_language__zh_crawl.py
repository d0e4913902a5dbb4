"""The Chinese UI speaks Chinese alone: every page each demo role reaches from its menu and the
links on those pages, read in Chromium, holds no Latin word but codes, identifiers and the few
names that have no Chinese (an allow-list). Its own server, with the full demo data."""
import re
import threading
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.services import demo, demo_achievements, demo_projects, demo_sharing
from app.services.workflow import deploy
from tests.browser.people import log_in, log_out
from tests.support import database_url, make_app, reset_database

pytestmark = pytest.mark.browser
ROLES = ("applicant", "leader", "district_huangpu", "city", "expert1", "manager", "auditor", "admin")
# names with no Chinese of their own, and the language switch, which names the other language in it;
# and the extensions of file names people gave their uploads (证明材料.pdf)
ALLOWED = {"ChainQ", "API", "XES", "OCEL", "CSV", "ID", "IDs", "PDF", "Excel", "XLSX", "BPMN", "DMN", "JSON",
           "English", "pdf", "docx", "doc", "jpg", "png"}
SKIP = re.compile(r"/(logout|lang/|api/|static/|vendor/|attachments/)|export|\.(xlsx|csv|xes|json|xml|pdf)\b"
                  r"|/diagram|/steps/|/reexecute")
PAGES_PER_ROLE = 40
# pages a role reaches from links the lead adds elsewhere (the forms and rules editors)
START = {"admin": ("/admin/forms", "/admin/forms/review_opinion/edit", "/admin/rules",
                   "/admin/rules/problem_severity_rules/edit")}
# the page's text without what an administrator wrote and the page shows as written (a form's JSON
# and field names, a DMN file's tables): marked data-verbatim
PAGE_TEXT = """body => { let text = body.innerText;
  const verbatim = Array.from(body.querySelectorAll('[data-verbatim]'), e => e.innerText).filter(t => t);
  verbatim.sort((a, b) => b.length - a.length).forEach(t => { text = text.split(t).join(' '); });
  return text; }"""
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.+\-]*")


def foreign_words(text, own=()):
    """Latin words a reader of the Chinese UI would stumble on: not codes (NEV, CON-2026…), not
    identifiers with digits (expert1, NCM811) or underscores (a message's name on the administrators'
    page), not the allow-list, not the reader's own login name."""
    return sorted({w for w in WORD.findall(text) if w not in ALLOWED and w not in own and "_" not in w
                   and not any(c.isdigit() for c in w) and not (w.isupper() and len(w) <= 6)})


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    app = make_app(database_url("sqlite", tmp), tmp, WTF_CSRF_ENABLED=True)
    with app.app_context():
        reset_database()
        deploy.deploy_folder()
        demo.seed_cases()
        demo.seed_problems()
        demo.seed_problem_processes()
        demo_projects.seed_project_processes()
        demo_achievements.seed_achievements()
        demo_sharing.seed_sharing()
        db.session.remove()
        db.engine.dispose()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield lambda path="/": base + path
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def crawl(page, server, role):
    """(url, foreign words) of each page `role` reaches, breadth first from the home page."""
    seen, queue, found = set(), deque([server("/"), server("/tasks"), *(server(p) for p in START.get(role, ()))]), []
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft().split("#")[0]
        path = urlparse(url).path + ("?" + urlparse(url).query if urlparse(url).query else "")
        if url in seen or SKIP.search(path):
            continue
        seen.add(url)
        response = page.goto(url)
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        words = foreign_words(page.locator("body").evaluate(PAGE_TEXT), own=(role,))
        if words:
            found.append((path, words))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urljoin(url, href)
            if target.startswith(server("/")):
                queue.append(target)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_chinese_alone(page, demo_server, role):
    log_in(page, demo_server, role)
    found = crawl(page, demo_server, role)
    log_out(page)
    assert found == [], "\n".join(f"{path}: {' '.join(words)}" for path, words in found)


ADMIN_PAGES = ("/admin/definitions", "/admin/processes/new")


def test_the_modeler_and_the_definitions_pages_speak_chinese_alone(page, demo_server):
    """The administrators' pages, and the modeler once drawn, with a step's template fields open in its panel."""
    from playwright.sync_api import expect
    log_in(page, demo_server, "admin")
    found = []
    for path in ADMIN_PAGES:
        page.goto(demo_server(path))
        found += [(path, w) for w in foreign_words(page.locator("body").inner_text(), own=("admin",))]
    page.goto(demo_server("/admin/definitions"))
    page.locator("#process-consortium_application tbody tr a").first.click()
    expect(page.locator("#diagram[data-rendered=true]")).to_be_attached()
    found += [(page.url, w) for w in foreign_words(page.locator("body").inner_text(), own=("admin",))]
    page.goto(demo_server("/admin/processes/consortium_application/edit"))
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()
    page.evaluate("""() => {
      const m = window.chainqModeler, shape = m.get('elementRegistry').get('district_review');
      const templates = m.get('elementTemplates');
      templates.applyTemplate(shape, templates.getLatest('chainq.approval.vote')[0]);
      m.get('selection').select(m.get('elementRegistry').get('district_review'));
    }""")
    page.evaluate("() => document.querySelectorAll('.bio-properties-panel-group-header:not(.open)')"
                  ".forEach(h => h.click())")
    page.fill("#people-q", "city")
    expect(page.locator("#people-results li").first).to_be_visible()
    found += [("modeler", w) for w in foreign_words(page.locator("body").inner_text(), own=("admin",))]
    log_out(page)
    assert found == [], repr(found)


ACCOUNT_PAGES = ("/admin/users", "/admin/users/new", "/admin/users?q=天河&status=active", "/admin/groups",
                 "/admin/units", "/admin/calendar", "/password", "/profile")


ME = ("admin",)


def test_the_account_pages_speak_chinese_alone(page, demo_server):
    """The administrators' account, group, unit and calendar-import pages (each list's first record
    too), the refusals of their forms, and the password page."""
    log_in(page, demo_server, "admin")
    found = []
    for path in ACCOUNT_PAGES:
        page.goto(demo_server(path))
        found += [(path, w) for w in foreign_words(page.locator("body").evaluate(PAGE_TEXT), own=ME)]
        for link in ("#users tbody a", "#groups tbody a", "#units tbody a"):
            if path.startswith(("/admin/users?", "/admin/groups", "/admin/units")) and page.locator(link).count():
                page.locator(link).first.click()
                found += [(page.url, w) for w in foreign_words(page.locator("body").evaluate(PAGE_TEXT), own=ME)]
    page.goto(demo_server("/admin/calendar"))
    page.fill("#import-text", "2027-01-01 元旦\n2027-02-08 调休上班\n元旦假期")
    page.click("#import-preview")
    found += [("calendar preview", w) for w in foreign_words(page.locator("body").evaluate(PAGE_TEXT), own=ME)]
    page.goto(demo_server("/admin/units"))
    page.fill("#unit-key", "gz_crawl")
    page.fill("#unit-name", "测试单位")
    page.fill("#unit-credit-code", "91440101000000000X")
    page.click("#save-unit")
    found += [("unit refused", w) for w in foreign_words(page.locator("body").evaluate(PAGE_TEXT), own=ME)]
    log_out(page)
    assert found == [], "\n".join(f"{path}: {word}" for path, word in found)


def test_the_operations_pages_speak_chinese_alone(page, demo_server):
    """The administrators' operations on running cases: the case page's buttons, a suspended case, the
    migration list, a dry run with its report and its refusals, the incidents and the data editor."""
    log_in(page, demo_server, "admin")
    page.goto(demo_server("/instances?status=running"))
    case_url = page.locator("table a[href*='/instances/']").first.get_attribute("href")
    case_id = case_url.rstrip("/").split("/")[-1]
    found = []
    page.goto(demo_server(case_url))
    assert page.locator("#suspend").count() == 1
    page.fill("#suspend-reason", "核查材料")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#suspend")
    page.wait_for_selector("#suspended-notice")
    for path in (case_url, "/admin/migrations",
                 f"/admin/migrations/new?process=consortium_application&from=1&to=1&instance={case_id}",
                 "/admin/migrations/new?process=consortium_application&to=1&mapping=x1",
                 "/admin/migrations/new?process=consortium_application&to=1",
                 "/admin/incidents", f"/admin/instances/{case_id}/data"):
        page.goto(demo_server(path))
        words = foreign_words(page.locator("body").inner_text(), own=("admin",))
        if words:
            found.append((path, words))
    page.goto(demo_server(case_url))
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#resume")
    page.wait_for_selector("#suspend")
    log_out(page)
    assert found == [], "\n".join(f"{path}: {' '.join(words)}" for path, words in found)
