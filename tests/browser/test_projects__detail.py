"""A project's page in Chromium, as a member of its consortium reads it: the task book in force,
the diff between its two versions (before struck out, after highlighted), another pair compared
through the form, and each target drawn by ECharts on a canvas, under the app's CSP."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.people import log_in
from tests.project_support import world

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def project(live_server):
    with live_server.app.app_context():
        return world()["A"]


def test_the_detail_page_shows_the_diff_and_the_target_charts(page, live_server, project):
    project_id, number = project
    log_in(page, live_server, "leader")
    page.click("#nav-projects")
    page.locator("#projects-table a", has_text=number).click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}$"))
    expect(page.locator("main h1")).to_contain_text(number)

    # the task book in force (v2) and the diff from v1
    expect(page.locator("#project-version")).to_contain_text("2")
    diff = page.locator("#task-book-diff")
    expect(diff).to_contain_text("第 1 版至第 2 版的变化")
    expect(diff.locator('tr[data-path="leader"] del')).to_have_text("陈工")
    expect(diff.locator('tr[data-path="leader"] ins')).to_have_text("王工")
    expect(diff.locator('tr[data-path="targets.T1"] tr.changed ins')).to_have_text("110")
    expect(diff.locator('tr.diff-added[data-path="milestones.M4"]')).to_be_visible()
    expect(diff.locator('tr.diff-removed[data-path="budget.2"]')).to_be_visible()

    # each target is drawn by ECharts on a canvas
    for key in ("T1", "T2", "T3"):
        chart = page.locator(f"#chart-{key}")
        expect(chart).to_have_attribute("data-rendered", "1")
        expect(chart.locator("canvas")).to_have_count(1)
    box = page.locator("#chart-T1 canvas").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100

    # compare the other way round through the form
    page.select_option("#diff-form select[name=from]", "2")
    page.select_option("#diff-form select[name=to]", "1")
    page.click("#diff-form button[type=submit]")
    expect(diff.locator('tr[data-path="leader"] del')).to_have_text("王工")
    expect(diff.locator('tr.diff-removed[data-path="milestones.M4"]')).to_be_visible()

    # the milestone timeline marks the slipped milestone
    expect(page.locator('#milestone-timeline li.overdue[data-key="M2"]')).to_be_visible()
    assert page.js_errors == []


def test_the_detail_page_fits_a_phone(browser, live_server, project):
    """At 390×844 the project page does not scroll sideways (charts and tables stay inside)."""
    from tests.browser.test_layout__phone import PHONE, assert_fits
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    phone = context.new_page()
    try:
        log_in(phone, live_server, "leader")
        assert_fits(phone, live_server(f"/projects/{project[0]}"))
    finally:
        context.close()
