"""An auditor steps through a finished consortium case in the browser and sees the
diagram as it stood at each step."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, User
from app.models.states import TaskStatus
from app.services import demo
from app.services.workflow import cases, tasks
from tests.browser.people import log_in

pytestmark = pytest.mark.browser


def _finished_case(server):
    with server.app.app_context():
        users = {u.username: u for u in db.session.execute(select(User)).scalars()}
        instance = cases.start_instance(users["applicant"], "consortium_application")

        def step(username, data):
            task = db.session.execute(select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalar_one()
            if task.assignee_id is None:
                tasks.claim(users[username], task.id)
            tasks.complete(users[username], task.id, data)
        form = demo.application_data("生物医药", "生物医药", "zengcheng", demo.UNITS[0][1], members=2)
        ok = {"decision": "approve", "opinion": "同意。"}
        step("applicant", form)
        step("leader", ok)
        step("district_zengcheng", {"decision": "return", "opinion": "请补充工作计划。"})
        step("applicant", form)
        step("leader", ok)
        step("district_zengcheng", ok)
        step("city", ok)
        instance_id, key = instance.id, instance.business_key
        db.session.remove()
    return instance_id, key


def _element(page, element_id):
    return page.locator(f'#diagram g.djs-element[data-element-id="{element_id}"]')


def test_auditor_steps_through_a_finished_case(page, live_server):
    instance_id, key = _finished_case(live_server)
    log_in(page, live_server, "auditor")

    page.click("#nav-audit")
    page.fill('input[name="business_key"]', key)
    page.click('#audit-filters button[type="submit"]')
    page.locator("#audit-cases a", has_text="生物医药").click()
    expect(page.locator("#diagram[data-rendered=true]")).to_have_count(1)
    expect(page.locator("#chain-status")).to_have_class(re.compile(r"\bok\b"))

    # the last step: everything done, no token left
    expect(_element(page, "city_review")).to_have_class(re.compile(r"\bcq-done\b"))
    expect(page.locator("#diagram .cq-active")).to_have_count(0)

    # the engine's own records (a task arrived, steps run) are hidden until asked for
    arrivals = page.locator("#timeline tbody tr", has_text="任务到达")
    expect(arrivals.first).to_be_hidden()
    page.click("#toggle-internal")
    expect(arrivals.first).to_be_visible()

    # jump to the moment the district office had the case for the first time
    row = page.locator("#timeline tbody tr", has_text="区办审核").filter(has_text="任务到达").first
    row.locator("[data-goto]").click()
    expect(_element(page, "district_review")).to_have_class(re.compile(r"\bcq-active\b"))
    expect(_element(page, "lead_unit_opinion")).to_have_class(re.compile(r"\bcq-done\b"))
    expect(_element(page, "city_review")).not_to_have_class(re.compile(r"\bcq-done\b"))
    first_visit = int(page.locator("#step-n").inner_text())

    # one step on: the district office claimed it; two on: it returned the case
    page.click("#step-next")
    expect(page.locator("#step-n")).to_have_text(str(first_visit + 1))
    page.click("#step-next")
    expect(page.locator("#step-n")).to_have_text(str(first_visit + 2))
    expect(page.locator("#step-detail")).to_contain_text("请补充工作计划。")
    decision = page.locator('#step-changes tr[data-field="decision"]')
    expect(decision).not_to_contain_text("decision")              # the field's label, not its key
    expect(decision).to_contain_text("退回")                        # and the value as people say it
    expect(_element(page, "district_review")).not_to_have_class(re.compile(r"\bcq-active\b"))

    # the first step: only the applicant's form is waiting
    page.click("#step-first")
    expect(page.locator("#step-n")).to_have_text("1")
    expect(page.locator("#diagram .cq-active")).to_have_count(0)     # started; nothing waits yet
    page.click("#step-next")
    expect(page.locator("#step-n")).to_have_text("2")
    page.click("#step-next")
    expect(page.locator("#step-n")).to_have_text("3")                # the form task has arrived
    expect(_element(page, "fill_application")).to_have_class(re.compile(r"\bcq-active\b"))
    expect(page.locator("#diagram .cq-active")).to_have_count(1)

    page.click("#reexecute")
    expect(page.locator("#reexecution-result")).to_have_class(re.compile(r"\bok\b"))
    page.goto(live_server("/audit/proof"))
    expect(page.locator("#proof-status")).to_have_class(re.compile(r"\bok\b"))
