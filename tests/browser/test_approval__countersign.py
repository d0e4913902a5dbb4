"""In the browser: a countersign step with a return for revision and an urge."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.people import log_in, log_out

pytestmark = pytest.mark.browser




def open_task(page, server, title):
    page.goto(server("/tasks"))
    page.locator("#inbox-table tbody tr", has_text=title).first.locator("a").first.click()
    expect(page.locator("main h1")).to_be_visible()


def decide(page, decision, opinion):
    page.check(f'input[name="decision"][value="{decision}"]')
    page.fill('textarea[name="opinion"]', opinion)
    if decision == "approve":
        page.click("#submit")
    else:                    # 退回 and 不同意 ask first
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#submit")
    expect(page.locator(".flash").first).to_be_visible()


def start_expert_review(page, server, title, summary):
    """As the logged-in managing body: start an expert review for expert1-3 and submit its materials."""
    page.goto(server("/processes"))
    page.click('[data-start="expert_review"]')
    page.fill('input[name="title"]', title)
    page.fill('textarea[name="summary"]', summary)
    page.fill('input[name="experts"]', "expert1,expert2,expert3")
    page.check('input[name="decision"][value="approve"]')
    page.click("#submit")
    expect(page.locator(".flash").first).to_be_visible()
    expect(page.locator(".flash.error")).to_have_count(0)


def test_countersign_with_a_return_and_an_urge(page, live_server):
    server, title = live_server, "电驱系统攻关项目中期检查（浏览器测试）"
    log_in(page, server, "manager")
    start_expert_review(page, server, title, "中期检查材料：里程碑完成率80%，关键参数达到预期。")
    log_out(page)

    log_in(page, server, "expert1")
    open_task(page, server, title)
    expect(page.locator("#signers")).to_contain_text("陈高工")       # the step lists all three approvers, by name
    decide(page, "approve", "同意，材料完整。")
    log_out(page)

    # the managing body urges the two experts who have not signed
    log_in(page, server, "manager")
    page.goto(server("/instances/mine"))
    page.locator("#instance-table a", has_text=title).click()
    page.click("#urge")
    expect(page.locator(".flash").first).to_contain_text(re.compile("催办|reminded"))
    page.click("#urge")                                               # again at once: refused, rate-limited
    expect(page.locator(".flash.error")).to_be_visible()
    log_out(page)

    # expert2 sees the urge in the bell and returns the materials
    log_in(page, server, "expert2")
    expect(page.locator("#bell-count")).to_be_visible()
    open_task(page, server, title)
    decide(page, "return", "请补充第三季度进度数据。")
    log_out(page)

    # back with the managing body, who resubmits; the countersign starts again for all three
    log_in(page, server, "manager")
    open_task(page, server, title)
    page.check('input[name="decision"][value="approve"]')
    page.click("#submit")
    expect(page.locator(".flash").first).to_be_visible()
    log_out(page)
    for name, opinion in (("expert1", "数据完整。"), ("expert2", "补充后同意。"), ("expert3", "同意。")):
        log_in(page, server, name)
        open_task(page, server, title)
        decide(page, "approve", opinion)
        log_out(page)

    # the case has moved on to the panel vote; its page shows how the countersign was decided:
    # the tally with its rule, and each expert's opinion under their own name
    log_in(page, server, "manager")
    page.goto(server("/instances/mine"))
    row = page.locator("#instance-table tbody tr", has_text=title)
    expect(row.locator(".current-step")).to_contain_text("票签")
    row.locator("a").first.click()
    tally = page.locator("#timeline [data-tally]").last
    expect(tally).to_contain_text("3 同意 → 通过")
    signatures = page.locator("#timeline ul.signatures").last
    expect(signatures.locator('[data-signature="expert2"]')).to_contain_text("李研究员")
    expect(signatures.locator('[data-signature="expert2"]')).to_contain_text("补充后同意。")


def test_withdrawing_a_case_asks_first(page, live_server):
    server, title = live_server, "撤回前先确认（浏览器测试）"
    log_in(page, server, "manager")
    start_expert_review(page, server, title, "待专家评审的材料：里程碑完成情况与关键参数。")
    page.goto(server("/instances/mine"))
    page.locator("#instance-table a", has_text=title).click()
    case_url = page.url

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("#withdraw")
    for _ in range(100):                                 # the question, however busy the machine
        if questions:
            break
        page.wait_for_timeout(50)
    assert questions and ("撤回" in questions[0] or "Withdraw" in questions[0])
    assert page.url == case_url and page.locator(".flash").count() == 0        # said no: nothing happened

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#withdraw")
    expect(page.locator(".flash").first).to_be_visible()
    expect(page.locator(".flash.error")).to_have_count(0)
