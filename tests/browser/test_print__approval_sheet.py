"""A case's 审批单 prints: the form, each opinion with its author and time, and the proof that the
record is unaltered, laid out for paper; the browser's print to PDF makes a real PDF of it."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, User
from app.services.workflow import cases, tasks
from tests.browser.people import log_in

pytestmark = pytest.mark.browser


def _walk(case_id, username, data):
    actor = db.session.execute(select(User).where(User.username == username)).scalar_one()
    task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case_id,
                                                      HumanTask.status == "open")).scalar_one()
    if task.assignee_id is None:
        tasks.claim(actor, task.id)
    tasks.complete(actor, task.id, data)


def test_the_approval_sheet_prints_with_opinions_and_proof(page, live_server, application_form):
    with live_server.app.app_context():
        applicant = db.session.execute(select(User).where(User.username == "applicant")).scalar_one()
        case_id = cases.start_instance(applicant, "consortium_application").id
        _walk(case_id, "applicant", application_form("huangpu", name="印刷电路板"))
        _walk(case_id, "leader", {"decision": "approve", "opinion": "牵头单位同意。"})
        _walk(case_id, "district_huangpu", {"decision": "approve", "opinion": "区办同意推荐。"})
        leader = db.session.execute(select(User).where(User.username == "leader")).scalar_one().display_name
    log_in(page, live_server, "applicant")
    page.goto(live_server(f"/instances/{case_id}"))
    page.click("#print-view")
    sheet = page.locator("#approval-sheet")
    expect(sheet).to_contain_text("审批单")
    opinions = page.locator("#sheet-opinions tbody tr")
    expect(opinions.filter(has_text="牵头单位同意。")).to_contain_text(leader)
    expect(opinions.filter(has_text="区办同意推荐。")).to_contain_text("20")          # with its time
    expect(page.locator("#sheet-proof")).to_contain_text("审计链校验通过")
    page.emulate_media(media="print")
    expect(page.locator("#print-button")).to_be_hidden()                              # paper has no buttons
    expect(page.locator(".topbar")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
