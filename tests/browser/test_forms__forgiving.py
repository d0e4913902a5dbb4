"""Forms that forgive: the applicant's unit is filled in, a wrong phone number is flagged as the
field is left, the draft saves itself while the user types, and leaving with unsaved changes asks."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.people import log_in

pytestmark = pytest.mark.browser


def test_the_application_form_checks_saves_and_warns(page, live_server):
    log_in(page, live_server, "applicant")
    page.goto(live_server("/processes"))
    page.click('[data-start="consortium_application"]')
    expect(page.locator("#f-lead_unit_name")).to_have_value("广州智能装备集团有限公司")    # its own unit
    page.click("#save-draft")        # the first save creates the case; later drafts save themselves
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    page.evaluate("document.querySelector('form.taskform').dataset.autosaveSeconds = '1'")
    page.fill("#f-mobile", "12345")
    page.locator("#f-mobile").blur()
    expect(page.locator("#field-mobile .field-error.live")).to_have_text("格式不正确。")
    page.fill("#f-mobile", "13800138000")
    page.locator("#f-mobile").blur()
    expect(page.locator("#field-mobile .field-error.live")).to_have_count(0)
    page.fill("#f-consortium_name", "柔性显示产业链质量创新联合体")
    # the interval was set before the page changed its data attribute: wait for one full period
    expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=20_000)
    task_url = page.url
    page.reload()
    expect(page.locator("#f-consortium_name")).to_have_value("柔性显示产业链质量创新联合体")
    page.fill("#f-goals", "尚未保存的目标")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.click("#nav-inbox")
    expect(page).to_have_url(re.compile(re.escape(task_url)))     # stayed: the user chose to stay
    assert asked == ["beforeunload"]
