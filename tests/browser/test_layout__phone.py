"""At 390×844 (a phone) no page scrolls sideways: the menu folds behind a button, the inbox turns
into cards, forms take one column, and tables that stay tables scroll inside themselves."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask
from app.services import demo
from app.services.workflow import cases, tasks
from tests.browser.people import log_in, log_out
from tests.problem_support import make_consortium, user

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    # not is_mobile: a mobile layout viewport widens to fit what overflows, which would hide the fault
    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def records(live_server, application_form):
    """A case waiting for the lead unit, an approved consortium and a project to look at."""
    with live_server.app.app_context():
        case_id = cases.start_instance(user("applicant"), "consortium_application").id
        tasks.complete(user("applicant"), open_task_id(case_id), application_form("huangpu"))
        task_id = open_task_id(case_id)
        # a consortium of its own name: the live server's database is shared by the browser tests
        consortium_id = make_consortium(("超高清视频", "huangpu", demo.UNITS[0][1], "applicant", "leader")).id
        draft_id = cases.start_instance(user("applicant"), "consortium_application").id
        return {"case": case_id, "task": task_id, "consortium": consortium_id, "form": open_task_id(draft_id)}


def open_task_id(case_id):
    return db.session.execute(select(HumanTask.id).where(HumanTask.instance_id == case_id,
                                                         HumanTask.status == "open")).scalar_one()


def assert_fits(page, url):
    """The page at `url` is no wider than the screen."""
    page.goto(url)
    expect(page.locator("main")).to_be_visible()
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{url}: the page is {width} px wide on a {inner} px screen"


def test_no_page_scrolls_sideways_on_a_phone(phone, live_server, records):
    server = live_server
    log_in(phone, server, "applicant")
    expect(phone.locator("#mainnav")).to_be_hidden()             # the menu folds behind its button
    phone.click("#nav-toggle")
    expect(phone.locator("#nav-inbox")).to_be_visible()
    for path in ("/tasks", f"/tasks/{records['form']}", f"/instances/{records['case']}",
                 f"/consortia/{records['consortium']}", "/problems", "/processes"):
        assert_fits(phone, server(path))
    log_out(phone)
    log_in(phone, server, "leader")
    assert_fits(phone, server("/tasks"))
    card = phone.locator("#inbox-table tbody tr").first
    expect(card.locator("td.subject")).to_be_visible()
    assert card.bounding_box()["width"] <= PHONE["width"]          # the inbox row is a card
    for path in (f"/tasks/{records['task']}", "/projects"):        # a project's page: test_projects__detail
        assert_fits(phone, server(path))
    log_out(phone)
    log_in(phone, server, "auditor")
    for path in (f"/audit/cases/{records['case']}", "/audit"):
        assert_fits(phone, server(path))
    expect(phone).not_to_have_url(re.compile("/login"))
