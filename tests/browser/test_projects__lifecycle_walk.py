"""One breakthrough project walked from proposal to acceptance, the people's steps in Chromium:
the lead unit proposes it, the managing body screens it, experts approve it, the task book is
signed by every party, two quarterly reports follow their quarters (timers fired by a controllable
clock, each exactly at its moment), a change request is approved and the project page shows task
book version 2 with the diff, the mid-term check asks for one rectification, acceptance passes, the
source problem shows 已解决, and the achievement admission it announces opens the admission form
for the proposer."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import BreakthroughProject, HumanTask, ProcessInstance, TimerJob
from app.models.jobs import JobStatus
from app.services import demo
from app.services.workflow import timer_firing
from tests.browser.conftest import serving
from tests.browser.people import log_in, log_out
from tests.problem_support import OK, act, make_consortium, problem_data, register
from tests.project_lifecycle_support import EXPERTS, PARTNER, book

pytestmark = pytest.mark.browser
# a consortium of its own name: the browser tests share one live server's database
SPEC = ("半导体", "huangpu", demo.UNITS[0][1], "applicant", "leader")
PROJECT = "柔性电路板焊点可靠性联合攻关"


def _case():
    return db.session.execute(select(ProcessInstance).where(ProcessInstance.process_key == "breakthrough_project",
                                                            ProcessInstance.title.contains(PROJECT))).scalar_one()


def _fire(element, opened):
    """Fire the case's timer at `element` at its due moment (not a second before): `opened` arrives."""
    case = _case()
    [job] = db.session.execute(select(TimerJob).where(
        TimerJob.instance_id == case.id, TimerJob.element_id == element,
        TimerJob.status == JobStatus.PENDING)).scalars().all()
    due = job.due_at
    timer_firing.fire_due(at=due - timedelta(seconds=1))
    assert not _open(opened)
    timer_firing.fire_due(at=due)
    assert _open(opened)


def _open(element):
    db.session.expire_all()
    return db.session.execute(select(HumanTask).where(HumanTask.instance_id == _case().id,
                                                      HumanTask.element_id == element,
                                                      HumanTask.status == "open")).scalars().all()


def _from_inbox(page, server, text):
    page.goto(server("/tasks"))
    page.locator("#inbox-table tbody tr", has_text=text).first.locator("a").first.click()
    expect(page.locator("main h1")).to_be_visible()


def _claim_if_offered(page):
    if page.locator("#claim").count():
        page.click("#claim")


def _report(quarter_text=""):
    act("applicant", _case(), {"report_summary": f"{quarter_text}按计划推进。", "decision": "approve",
                               "milestone_progress": [{"key": "M1", "done": True}],
                               "target_values": [{"key": "T1", "value": "95"}, {"key": "T2", "value": "1"}]})


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A server of its own: firing the quarters' timers fires every timer due by then, which the
    other browser files' cases on the shared server must not see."""
    with serving(tmp_path_factory.mktemp("projects")) as server:
        yield server


def test_one_project_from_proposal_to_acceptance(page, own_server):
    live_server = own_server
    server, app = live_server, live_server.app
    with app.app_context():
        consortium = make_consortium(SPEC)
        problem_id = register(problem_data(consortium.id, title="柔性电路板焊点早期开裂"))["problem_id"]
        consortium_id = consortium.id

    # 1. The lead unit proposes the project from a problem in the library.
    log_in(page, server, "applicant")
    page.goto(server("/processes"))
    page.click('[data-start="breakthrough_project"]')
    page.select_option("#f-consortium_id", str(consortium_id))
    page.fill("#f-project_name", PROJECT)
    page.select_option("#f-direction", "design")
    page.select_option("#f-problem_ids", [str(problem_id)])
    page.fill('input[name="participating_units-0-name"]', PARTNER)
    page.fill("#f-expected_results", "焊点失效率降低50%，在3家企业示范应用。")
    page.check('input[name="decision"][value="approve"]')
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/instances/mine$"))
    log_out(page)

    # 2. The managing body screens it and sends it to two experts.
    log_in(page, server, "manager")
    _from_inbox(page, server, PROJECT)
    _claim_if_offered(page)
    page.check('input[name="decision"][value="approve"]')
    page.fill('input[name="experts"]', ",".join(EXPERTS))
    page.fill('textarea[name="opinion"]', "同意立项，送专家评审。")
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/tasks(\?.*)?$"))
    log_out(page)

    with app.app_context():
        for name in EXPERTS:                                   # the experts approve; the lead unit drafts
            act(name, _case(), {"decision": "approve", "opinion": "同意立项。"})
        act("applicant", _case(), dict(book(), decision="approve"))
        for name in ("leader", "leader3"):                     # every party's leader signs
            act(name, _case(), dict(OK))
        project = db.session.execute(select(BreakthroughProject).where(
            BreakthroughProject.instance_id == _case().id)).scalar_one()
        project_id, number = project.id, project.number
        assert (project.status, project.task_book_version) == ("executing", 1)
        _fire("quarter_ends", "quarterly_report")             # the first quarter ends

    # 3. The first quarterly report, in the browser.
    log_in(page, server, "applicant")
    _from_inbox(page, server, PROJECT)
    page.fill('textarea[name="report_summary"]', "第一季度：完成材料改性方案。")
    page.check('input[name="decision"][value="approve"]')
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/tasks(\?.*)?$"))
    with app.app_context():
        _fire("quarter_ends", "quarterly_report")             # the second quarter
        _report("第二季度")

    # 4. A change of the person in charge: asked from the project page, approved by the managing body.
    page.goto(server(f"/projects/{project_id}"))
    page.click("#request-change")
    page.check('input[name="change_kinds"][value="leader"]')
    page.fill('textarea[name="change_reason"]', "原负责人调任，由王强接任。")
    page.fill("#f-leader", "王强")
    page.click("#submit-change")
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}$"))
    log_out(page)
    log_in(page, server, "manager")
    _from_inbox(page, server, PROJECT)
    _claim_if_offered(page)
    page.check('input[name="decision"][value="approve"]')
    page.fill('textarea[name="opinion"]', "同意变更负责人。")
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/tasks(\?.*)?$"))
    page.goto(server(f"/projects/{project_id}"))
    expect(page.locator("#project-version")).to_contain_text("2")
    diff = page.locator("#task-book-diff")
    expect(diff.locator('tr[data-path="leader"] del')).to_have_text("张伟")
    expect(diff.locator('tr[data-path="leader"] ins')).to_have_text("王强")
    log_out(page)

    with app.app_context():
        # 5. The mid-term check at the period's midpoint: one rectification, then it passes.
        _fire("midterm_due", "midterm_check")
        act("expert1", _case(), {"decision": "return", "opinion": "检测数据不足，需整改。",
                                 "rectification_deadline": book()["period_end"]})
        act("applicant", _case(), {"rectification_report": "已补充台架试验数据。", "decision": "approve"})
        for name in EXPERTS:
            act(name, _case(), {"decision": "approve", "opinion": "整改到位。"}, element="midterm_check")
        # the remaining quarters, then acceptance
        while _pending("quarter_ends"):
            _fire("quarter_ends", "quarterly_report")
            _report()
        act("applicant", _case(), {"final_report": "全部指标达成。", "decision": "approve",
                                   "target_evidence": [{"key": "T1", "value": "98.5", "evidence": "检测报告"},
                                                       {"key": "T2", "value": "3", "evidence": "应用证明"}]})
        for name in EXPERTS:
            act(name, _case(), {"decision": "approve", "opinion": "同意通过验收。"})
        assert _case().outcome == "accepted"

    # 6. The problem is solved; the achievement admission case opens for the proposer, its form
    #    filled from the project.
    log_in(page, server, "manager")
    page.goto(server(f"/problems/{problem_id}"))
    expect(page.locator("main")).to_contain_text("已解决")
    page.goto(server(f"/projects/{project_id}"))
    expect(page.locator("main h1")).to_contain_text(number)
    log_out(page)
    # the proposer finds the achievement admission form, filled from the project, in the inbox
    log_in(page, server, "applicant")
    page.goto(server("/tasks"))
    page.locator("#inbox-table tbody tr", has_text=PROJECT).filter(has_text="填写成果入库申请表").first \
        .locator("a").first.click()
    expect(page.locator("main h1")).to_have_text("填写成果入库申请表")
    expect(page.locator("#f-project_number")).to_have_value(number)


def _pending(element):
    return db.session.execute(select(TimerJob).where(
        TimerJob.instance_id == _case().id, TimerJob.element_id == element,
        TimerJob.status == JobStatus.PENDING)).scalars().first() is not None
