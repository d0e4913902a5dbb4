"""An achievement from its contributor's form to a directed grant that ends, in Chromium (issue 13).

The contributor (applicant) applies from the library page and submits the App. G form with a proof
file; the managing body checks the rights and publishes it as directed; a member of another
consortium (applicant2) sees only its card and asks for access; the contributor consents for 30
days; the requester reads the summary and downloads the proof; the grant's expiry timer fires
through the scheduler's service at its moment (a controllable clock: fire_due at the due time);
the requester is refused from then on. Every step goes through the pages, with CSRF on. Its own
server and database: moving the clock a month on fires every timer due by then, which the other
browser tests' cases must not see.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import AccessGrant, Achievement, TimerJob
from app.services.workflow import timer_firing
from tests.browser.conftest import serving
from tests.browser.people import log_in, log_out
from tests.browser.test_problems__report_and_review import open_from_inbox, submit
from tests.problem_support import PDF, A, make_consortium

pytestmark = pytest.mark.browser

CONSORTIUM = "智能装备产业链质量创新联合体"
NAME = "柔轮渗氮工艺参数包（浏览器测试）"
SECRET = "渗氮温度窗口与保温时间组合"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A server of its own, with the 智能装备 consortium led by the applicant's unit."""
    with serving(tmp_path_factory.mktemp("sharing")) as server:
        with server.app.app_context():
            make_consortium(A)
            db.session.remove()
        yield server


def fill_admission_form(page, tmp_path):
    page.select_option("#f-consortium_id", label=CONSORTIUM)
    page.fill("#f-name", NAME)
    page.select_option("#f-kind", "technical_secret")
    page.fill("#f-summary", f"{SECRET}，疲劳寿命提升80%。")
    page.select_option("#f-ip_type", "trade_secret")
    page.select_option("#f-right_status", "none")
    page.select_option("#f-share_level", "directed")
    page.select_option("#f-share_conditions", "agreement")
    page.fill("#f-contact_name", "陈工")
    page.fill("#f-contact_phone", "13800138000")
    page.check("#f-commitment")
    proof = tmp_path / "工艺验证报告.pdf"
    proof.write_bytes(PDF)
    page.set_input_files("input[name=attachments-files]", str(proof))


def achievement_id(server):
    with server.app.app_context():
        found = db.session.execute(select(Achievement.id).where(Achievement.name == NAME)).scalar_one()
        db.session.remove()
    return found


def fire_expiry(server):
    """The grant's timer, fired by the scheduler's service at its due moment (not a second before)."""
    with server.app.app_context():
        grant = db.session.execute(select(AccessGrant).join(Achievement).where(Achievement.name == NAME)).scalar_one()
        job = db.session.execute(select(TimerJob).where(TimerJob.instance_id == grant.instance_id,
                                                        TimerJob.status == "pending")).scalar_one()
        timer_firing.fire_due(at=job.due_at - timedelta(seconds=1))   # whatever else is due by then
        db.session.refresh(grant)
        assert grant.status == "granted"
        assert timer_firing.fire_due(at=job.due_at) >= 1
        db.session.refresh(grant)
        assert grant.status == "expired"
        db.session.remove()


def test_contributor_to_directed_grant_to_expiry(page, own_server, tmp_path):
    server = own_server
    log_in(page, server, "applicant")
    page.goto(server("/achievements"))
    page.click("#achievement-apply button")
    expect(page.locator("main h1")).to_have_text("填写成果入库申请表")
    fill_admission_form(page, tmp_path)
    page.check("input[name=decision][value=approve]")
    page.click("#submit")
    expect(page.locator(".flash.error")).to_have_count(0)
    log_out(page)

    log_in(page, server, "manager")
    task_id = open_from_inbox(page, NAME, "管理机构审核")
    for box in ("#f-rights_clear", "#f-no_dispute", "#f-information_true"):
        page.check(box)
    page.check("input[name=decision][value=approve]")
    page.fill("#f-opinion", "权属清晰，证明材料齐全。")
    submit(page, task_id)
    task_id = open_from_inbox(page, NAME, "确定共享等级")
    page.select_option("#f-share_level", "directed")
    page.select_option("#f-share_conditions", "agreement")
    page.check("input[name=decision][value=approve]")
    submit(page, task_id)
    log_out(page)

    number = achievement_id(server)
    log_in(page, server, "applicant2")
    page.goto(server(f"/achievements/{number}"))
    expect(page.locator("#achievement-restricted")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(SECRET)
    page.click("#request-sharing")
    page.fill("#f-purpose", "用于本公司电驱减速器柔轮工艺对标。")
    page.fill("#f-days", "30")
    page.click("#submit-sharing-request")
    expect(page.locator(".flash.error")).to_have_count(0)
    log_out(page)

    log_in(page, server, "applicant")
    task_id = open_from_inbox(page, NAME, "贡献方审核共享申请")
    page.check("input[name=decision][value=approve]")
    page.fill("#f-opinion", "同意共享30天。")
    submit(page, task_id)
    log_out(page)

    log_in(page, server, "applicant2")
    page.goto(server(f"/achievements/{number}"))
    expect(page.locator("#achievement-content")).to_contain_text(SECRET)
    proof = page.locator("#achievement-proofs a").first
    proof_url = server(proof.get_attribute("href"))
    assert page.request.get(proof_url).status == 200

    fire_expiry(server)
    page.goto(server(f"/achievements/{number}"))
    expect(page.locator("#achievement-restricted")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(SECRET)
    assert page.request.get(proof_url).status == 404
    page.goto(server("/my/sharing-requests"))
    expect(page.locator("main")).to_contain_text(re.compile("已到期|已过期"))
