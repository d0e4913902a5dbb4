"""In the browser: an administrator opens a form, adds a field with the field list, sees it in the
preview, deploys it; a new case's task page shows the field, a running case's does not. Its own
server: the deploy makes new versions that other browser tests do not expect."""
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services import demo
from app.services.workflow import cases, tasks
from tests.browser.conftest import serving
from tests.browser.people import log_in, log_out

pytestmark = pytest.mark.browser


def _case_at_lead_unit_opinion(app):
    """A consortium application submitted by the applicant: its open step's form is review_opinion."""
    from sqlalchemy import select

    from app.models import HumanTask, User
    with app.app_context():
        applicant = db.session.execute(select(User).where(User.username == "applicant")).scalar_one()
        instance = cases.start_instance(applicant, "consortium_application")
        first = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)).scalar_one()
        tasks.complete(applicant, first.id, demo.application_data("编辑器测试", "编辑器测试", "tianhe",
                                                                   "广州测试牵头单位有限公司", 2))
        task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                          HumanTask.status == "open")).scalar_one()
        assert task.form_key == "review_opinion"
        found = task.id
        db.session.remove()
        return found


def test_add_a_field_preview_deploy_and_only_new_cases_get_it(page, tmp_path):
    with serving(tmp_path) as server:
        running = _case_at_lead_unit_opinion(server.app)

        log_in(page, server, "admin")
        page.goto(server("/admin/forms"))
        page.click("#edit-review_opinion")
        expect(page.locator("#preview #f-opinion")).to_be_visible()          # the form as its task page shows it
        expect(page.locator("#pinned-by")).to_contain_text("consortium_application")

        page.fill("#new-name", "risk_note")
        page.fill("#new-title", "风险说明")
        page.select_option("#new-type", "textarea")
        page.check("#new-required")
        page.click("#add-field-button")
        expect(page.locator('#field-list tr[data-field="risk_note"]')).to_be_visible()
        expect(page.locator("#schema-text")).to_have_value(re.compile(r'"risk_note"'))
        expect(page.locator("#preview textarea#f-risk_note")).to_be_visible()   # refreshed as the schema changed
        expect(page.locator("#preview #field-risk_note label")).to_contain_text("风险说明")
        expect(page.locator("#required-warning")).to_contain_text("risk_note")

        # a broken schema is refused in the preview, naming the line
        good = page.locator("#schema-text").input_value()
        page.fill("#schema-text", good.replace('"type": "object"', '"type": "objekt"', 1))
        expect(page.locator("#schema-problems")).to_contain_text("type")
        expect(page.locator("#schema-gutter .bad-line")).to_have_count(1)
        page.fill("#schema-text", good)
        expect(page.locator("#preview textarea#f-risk_note")).to_be_visible()

        page.fill("#change-note", "区办审核须写明风险")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#deploy-form")
        expect(page.locator(".flash")).to_contain_text("consortium_application v2")
        expect(page.locator("#pinned-by")).to_contain_text("v2")
        log_out(page)

        started = _case_at_lead_unit_opinion(server.app)
        log_in(page, server, "leader")
        page.goto(server(f"/tasks/{started}"))
        page.click("#claim")
        expect(page.locator("textarea#f-risk_note")).to_be_visible()
        page.goto(server(f"/tasks/{running}"))
        page.click("#claim")
        expect(page.locator("textarea#f-opinion")).to_be_visible()
        expect(page.locator("#f-risk_note")).to_have_count(0)
        assert page.js_errors == []
