"""The case page's diagram (bpmn-js) draws the steps' names in the reader's language."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.workflow import cases
from tests.browser.people import log_in, log_out

pytestmark = pytest.mark.browser


def _case(server):
    with server.app.app_context():
        applicant = db.session.execute(select(User).where(User.username == "applicant")).scalar_one()
        instance_id = cases.start_instance(applicant, "consortium_application").id
        db.session.remove()
    return instance_id


def test_an_english_reader_sees_english_labels_on_the_diagram(page, live_server):
    instance_id = _case(live_server)
    log_in(page, live_server, "applicant")
    page.goto(live_server(f"/instances/{instance_id}"))
    label = page.locator('#diagram g.djs-element[data-element-id="lead_unit_opinion"] text')
    expect(page.locator("#diagram[data-rendered=true]")).to_have_count(1)
    expect(label).to_contain_text("牵头单位意见")

    # English chosen on the login page: for this browser only (a choice made while logged in would
    # be kept on the account, and the other browser tests on this server log in as the applicant)
    log_out(page)
    page.locator('form[action$="/lang/en"] button').click()
    log_in(page, live_server, "applicant")
    page.goto(live_server(f"/instances/{instance_id}"))
    expect(page.locator("#diagram[data-rendered=true]")).to_have_count(1)
    expect(label).to_contain_text("Lead unit")
    expect(page.locator('#diagram g.djs-element[data-element-id="lead_agrees_label"] text')).to_have_text("approve")
    assert page.js_errors == []
