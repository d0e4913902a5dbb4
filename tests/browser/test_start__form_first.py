"""In the browser: 发起 opens the first form without a case; leaving it leaves nothing in 我发起的,
and the first submit creates the numbered case. Then the case is copied (抄送) to two people chosen
with the people picker, and a copy to someone who may not receive it is refused on the page."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.people import log_in, log_out

pytestmark = pytest.mark.browser

TITLE = "减速器柔轮寿命攻关评审（发起即建单测试）"


def my_case_ids(page, server):
    page.goto(server("/instances/mine"))
    expect(page.locator("#instance-table")).to_be_visible()
    return set(page.locator("#instance-table tbody tr[data-instance-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.instanceId)"))


def test_start_leave_then_start_and_submit(page, live_server):
    server = live_server
    log_in(page, server, "manager")
    before = my_case_ids(page, server)

    # 发起, look at the form, leave: nothing was created
    page.goto(server("/processes"))
    page.click('[data-start="expert_review"]')
    expect(page).to_have_url(re.compile(r"/processes/expert_review/new$"))
    expect(page.locator('input[name="title"]')).to_be_visible()
    expect(page.locator("#start-note")).to_be_visible()
    assert my_case_ids(page, server) == before

    # again, and submit: one new case, numbered, its first step done
    page.goto(server("/processes"))
    page.click('[data-start="expert_review"]')
    page.fill('input[name="title"]', TITLE)
    page.fill('textarea[name="summary"]', "柔轮疲劳寿命提升方案评审材料。")
    page.fill('input[name="experts"]', "expert1,expert2,expert3")
    page.check('input[name="decision"][value="approve"]')
    page.click("#submit")
    expect(page.locator(".flash.error")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/instances/mine$"))
    row = page.locator("#instance-table tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    assert re.fullmatch(r"[A-Z]+-\d{8}-[0-9A-F]{8}", row.locator("small.muted").first.inner_text().strip())
    assert len(my_case_ids(page, server) - before) == 1

    # 抄送 with the picker: chips show display names; the copy names the people
    page.locator("#instance-table a", has_text=TITLE).click()
    page.wait_for_load_state("load")          # the picker's script is in place
    for username in ("city2", "auditor"):
        page.locator("#cc-users").fill(username)
        page.locator("#cc-users").blur()
    chips = page.locator("#cc-picked li")
    expect(chips).to_have_count(2)
    city2 = chips.nth(0).inner_text()
    assert "city2" not in city2 and city2.strip(" ×")                # a display name, not the account
    page.click("#cc-submit")
    expect(page.locator(".flash").first).to_contain_text(city2.strip(" ×"))
    expect(page.locator("#cc-picked li")).to_have_count(0)

    # a refused copy stays on the page, with its message and the person chosen
    page.wait_for_load_state("load")
    page.locator("#cc-users").fill("applicant2")
    page.locator("#cc-users").blur()
    page.click("#cc-submit")
    expect(page.locator(".flash.error")).to_contain_text("applicant2")
    expect(page.locator("#cc-picked li")).to_have_count(1)
    log_out(page)
