"""In the browser: an administrator opens the problem severity rules in dmn-js, changes a cell so two
rules overlap, is shown the problem on that decision, fixes it, deploys with a change note and sees
which processes got new versions. Its own server: the deploy makes new versions."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ProcessDefinition
from tests.browser.conftest import serving
from tests.browser.people import log_in

pytestmark = pytest.mark.browser


def edit_cell(page, element_id, text):
    cell = page.locator(f'#dmn-canvas td[data-element-id="{element_id}"]')
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)        # typed keys would get brackets closed for them
    page.locator("#dmn-canvas .tjs-table th").first.click()        # leave the cell: dmn-js commits the edit
    expect(cell).to_contain_text(text)


def test_change_a_cell_check_and_deploy(page, tmp_path):
    with serving(tmp_path) as server:
        log_in(page, server, "admin")
        page.goto(server("/admin/rules"))
        page.click("#edit-problem_severity_rules")
        expect(page.locator("#rule-editor[data-ready]")).to_have_count(1)
        expect(page.locator("#dmn-canvas")).to_contain_text("命中策略")        # dmn-js speaks the UI's language
        page.click('#dmn-views button[data-view="problem_severity"]')
        expect(page.locator('#dmn-canvas td[data-element-id="rule_important_total"]')).to_be_visible()

        edit_cell(page, "rule_important_total", "[2.5..4.5[")                 # now overlaps ">= 4.0"
        page.click("#check-rules")
        problem = page.locator('#rules-problems li[data-decision="problem_severity"]')
        expect(problem).to_have_count(1)
        expect(problem).to_contain_text("problem_severity")
        expect(problem).to_contain_text("[2.5..4.5[")                         # the two rules' entries
        expect(page.locator('#dmn-canvas td[data-row-id="rule_important"].has-problem').first).to_be_visible()
        expect(page.locator('#dmn-views button[data-view="problem_severity"].has-problem')).to_have_count(1)

        edit_cell(page, "rule_critical_total", ">= 4.5")
        page.click("#check-rules")
        expect(page.locator("#rules-problems li")).to_have_count(0)
        expect(page.locator("#rules-status")).to_contain_text("未发现问题")

        page.fill("#change-note", "关键问题门槛提高到 4.5")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#deploy-rules")
        expect(page.locator("#rules-status")).to_contain_text("problem_report v2")
        assert page.js_errors == []

        with server.app.app_context():
            redeployed = db.session.execute(select(ProcessDefinition.key).where(ProcessDefinition.version == 2)) \
                .scalars().all()
            assert "problem_report" in redeployed
            event = db.session.execute(select(AuditEvent).where(AuditEvent.type == "decision_deployed")
                                       .order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
            assert event.data["note"] == "关键问题门槛提高到 4.5" and event.data["version"] == 2
            db.session.remove()
