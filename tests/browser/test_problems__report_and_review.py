"""A quality problem reported, screened, scored, graded and reviewed, in Chromium, as its users would.

The applicant reports a problem (App. C) under its consortium; the managing body accepts it and
names three experts; each expert scores the three App. D dimensions; the managing body confirms
the grade the rules gave (critical) and the problem is in the library. Then the yearly review
opens (its timer start event fired through the scheduler's service), the managing body re-grades
the problem, confirms the summary, and the library shows the new grade.
Every step goes through the pages and their forms, with CSRF on.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import localtime
from app.extensions import db
from app.models import Consortium, ProcessDefinition, ProcessInstance, TimerJob
from app.services.workflow import timer_firing
from tests.browser.conftest import serving
from tests.browser.people import log_in, log_out
from tests.problem_support import A, make_consortium

pytestmark = pytest.mark.browser

CONSORTIUM = "智能装备产业链质量创新联合体"       # led by the applicant's unit (tests/problem_support.A)
TITLE = "谐波减速器柔轮疲劳寿命不足（浏览器测试）"
REPORT_FORM_TITLE = "产业链质量问题登记表"
SCORES = {"expert1": (5, 4, 4), "expert2": (4, 4, 4), "expert3": (4, 5, 3)}
REVIEW = "problem_library_review"


# --- what a user does -------------------------------------------------------------------------



def inbox_rows(page, case_text, step):
    """The inbox rows of the step named `step` in cases whose row shows `case_text`."""
    page.click("#nav-inbox")
    expect(page.locator("#inbox-table")).to_be_visible()
    step_cell = page.locator("td", has_text=re.compile(rf"^\s*{re.escape(step)}\s*$"))
    return page.locator("#inbox-table tbody tr", has_text=case_text).filter(has=step_cell)


def open_from_inbox(page, case_text, step):
    """Inbox → the one row of this step of this case → its task page (claimed if offered to a group)."""
    row = inbox_rows(page, case_text, step)
    expect(row).to_have_count(1)
    task_id = row.get_attribute("data-task-id")
    row.locator("td").first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{task_id}$"))
    expect(page.locator("main h1")).to_have_text(step)
    claim_if_offered(page)
    return task_id


def claim_if_offered(page):
    expect(page.locator("#claim, #submit").first).to_be_visible()
    if page.locator("#claim").count():
        page.click("#claim")
        expect(page.locator("#claim")).to_have_count(0)
    expect(page.locator("#submit")).to_be_visible()


def submit(page, task_id):
    """Submit the task form; back in the inbox, the task is gone from it."""
    page.click("#submit")
    expect(page.locator(".flash.error")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/tasks(\?.*)?$"))
    expect(page.locator(f'#inbox-table tr[data-task-id="{task_id}"]')).to_have_count(0)


def problem_row(page, server, title):
    page.goto(server("/problems"))
    row = page.locator("#problems-table tbody tr", has_text=title)
    expect(row).to_have_count(1)
    return row


def scores_cells(page):
    return page.locator("#problem-scores tbody tr td")


# --- set-up and the scheduler -------------------------------------------------------------------

@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A server of its own: the yearly review's timer fires for every consortium and problem in its
    database, which must hold only this walk's (the shared server's other files add theirs)."""
    with serving(tmp_path_factory.mktemp("problems")) as server:
        yield server


@pytest.fixture
def consortium(own_server):
    """The 智能装备 consortium, led by the applicant's unit: approved through its application process
    (the browser walk of that process is test_consortium__walkthrough's)."""
    with own_server.app.app_context():
        found = db.session.execute(select(Consortium).where(Consortium.name == CONSORTIUM)).scalar()
        if found is None:
            found = make_consortium(A)
        assert found.name == CONSORTIUM
        db.session.remove()
    return CONSORTIUM


def _review_start_job():
    return db.session.execute(
        select(TimerJob).join(ProcessDefinition, ProcessDefinition.id == TimerJob.definition_id)
        .where(TimerJob.kind == "start_timer", ProcessDefinition.key == REVIEW)).scalar_one()


def fire_yearly_review(server):
    """What the scheduler does when the review's start timer falls due (each 4 January, 09:00
    Beijing time): timer_firing.fire_due at that moment, in the live server's app and database.
    Returns the day it fell due, the day the next review is due (Beijing time), and the titles of
    the review cases it started."""
    with server.app.app_context():
        job = _review_start_job()
        assert job.status == "pending"
        due = localtime.local(job.due_at)
        assert (due.month, due.day, due.hour) == (1, 4, 9), due
        assert db.session.execute(select(ProcessInstance.id).where(ProcessInstance.process_key == REVIEW)).all() == []
        assert timer_firing.fire_due(at=job.due_at + timedelta(seconds=1)) >= 1
        db.session.expire_all()
        job = _review_start_job()
        following = localtime.local(job.due_at)
        assert job.status == "pending" and following == due.replace(year=due.year + 1), (job.status, following)
        titles = db.session.execute(select(ProcessInstance.title).where(
            ProcessInstance.process_key == REVIEW)).scalars().all()
        db.session.remove()
    return f"{due:%Y-%m-%d}", f"{following:%Y-%m-%d}", titles


# --- the test ---------------------------------------------------------------------------------

def test_problem_reported_scored_graded_and_reviewed(page, own_server, consortium):
    server = own_server

    # 1. The applicant reports the problem (App. C) from the start page.
    log_in(page, server, "applicant")
    page.click("#nav-start")
    page.click('[data-start="problem_report"]')
    expect(page).to_have_url(re.compile(r"/processes/problem_report/new$"))     # the form; no case yet
    expect(page.locator("main h2").first).to_have_text(REPORT_FORM_TITLE)
    page.select_option("#f-consortium_id", label=consortium)
    page.fill("#f-title", TITLE)
    page.select_option("#f-segment", "midstream")
    page.fill("#f-link", "零部件")
    page.fill("#f-node", "柔轮热处理")
    page.fill("#f-description", "近12个月柔轮早期断裂7起，疲劳寿命约为先进水平的60%，客户投诉18件。")
    page.fill("#f-defect_rate", "2.4")
    page.fill("#f-impact_scope", "影响下游工业机器人整机的可靠性与交付。")
    page.check('input[name="technical_roots"][value="material"]')
    page.check('input[name="technical_roots"][value="process"]')
    page.select_option("#f-category", "technology")
    page.check('input[name="decision"][value="approve"]')
    page.click("#submit")            # the submit creates the numbered case, its report step done
    expect(page.locator(".flash.error")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/instances/mine$"))
    row = page.locator("#instance-table tbody tr", has_text=TITLE)
    business_key = row.locator("small.muted").first.inner_text().strip()
    assert re.fullmatch(r"PRB-\d{8}-[0-9A-F]{8}", business_key), business_key
    log_out(page)

    # 2. The managing body sees the report read-only, accepts it and names three experts.
    log_in(page, server, "manager")
    task_id = open_from_inbox(page, business_key, "管理机构初审")
    report = page.locator("section.card", has=page.locator("h2", has_text=REPORT_FORM_TITLE))
    expect(report).to_have_count(1)
    expect(report).to_contain_text(TITLE)
    expect(report).to_contain_text(consortium)           # the consortium's name, not its id
    expect(report).to_contain_text("中游")
    expect(report).to_contain_text("材料、工艺")
    expect(report).to_contain_text("2.4")
    page.check('input[name="decision"][value="approve"]')
    page.fill("#f-experts", "expert1,expert2,expert3")
    page.fill("#f-opinion", "资料齐全，受理，送专家评分。")
    submit(page, task_id)
    log_out(page)

    # 3. Each expert scores impact, diffusion and urgency.
    for name, (impact, diffusion, urgency) in SCORES.items():
        log_in(page, server, name)
        task_id = open_from_inbox(page, business_key, "专家评分")
        expect(page.locator("section.card", has_text=REPORT_FORM_TITLE)).to_contain_text(TITLE)
        page.fill("#f-impact", str(impact))
        page.fill("#f-diffusion", str(diffusion))
        page.fill("#f-urgency", str(urgency))
        page.check('input[name="decision"][value="approve"]')
        page.fill("#f-opinion", f"{name}：评分如上。")
        submit(page, task_id)
        log_out(page)

    # 4. The managing body confirms the grade: the problem enters the library.
    log_in(page, server, "manager")
    task_id = open_from_inbox(page, business_key, "管理机构确认分级")
    page.check('input[name="decision"][value="approve"]')
    page.fill("#f-opinion", "确认分级，录入问题库。")
    submit(page, task_id)

    # 5. The library lists it as critical and identified; its page shows the experts' means.
    row = problem_row(page, server, TITLE)
    cells = row.locator("td")
    expect(cells.nth(5)).to_have_text(re.compile(r"^\s*★★★\s*关键\s*$"))
    expect(cells.nth(6)).to_have_text("已识别")
    number = cells.nth(0).inner_text().strip()
    assert re.fullmatch(r"GZ-[A-Z]+-\d{4}-\d{4}", number), number
    cells.nth(0).locator("a").click()
    expect(page).to_have_url(re.compile(r"/problems/\d+$"))
    problem_url = page.url
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("#problem-status")).to_have_text("已识别")
    expect(page.locator("#problem-grade")).to_have_text(re.compile(r"^\s*★★★\s*关键\s*$"))
    # 4.3 = (5+4+4)/3, 4.3 = (4+4+5)/3, 3.7 = (4+4+3)/3; 0.4*4.3 + 0.3*4.3 + 0.3*3.7 = 4.12
    expect(scores_cells(page)).to_have_text(["4.3", "4.3", "3.7", "4.12", re.compile(r"★★★\s*关键")])

    # 6. The yearly review: its timer is announced on the start page, then falls due.
    page.click("#nav-start")
    review_card = page.locator(".card", has=page.locator("h2", has_text="质量问题库定期复核"))
    expect(review_card.locator(".timer-start")).to_contain_text(re.compile(r"\d{4}-01-04"))
    expect(review_card.locator("[data-start]")).to_have_count(0)          # never started by hand
    due_day, next_day, titles = fire_yearly_review(server)
    expect(review_card.locator(".timer-start")).to_contain_text(due_day)  # what the page announced
    ours = [t for t in titles if consortium in t]
    assert len(ours) == 1 and ours[0].endswith(due_day), titles           # one case per consortium
    page.reload()
    expect(review_card.locator(".timer-start")).to_contain_text(next_day)

    # The consortium's case has one review task: our problem, shown read-only; it is re-graded.
    expect(inbox_rows(page, consortium, "复核问题")).to_have_count(1)
    task_id = open_from_inbox(page, consortium, "复核问题")
    expect(page.locator("#f-problem_number")).to_have_value(number)
    expect(page.locator("#f-problem_number")).to_have_attribute("readonly", "")
    expect(page.locator("#f-problem_title")).to_have_value(TITLE)
    expect(page.locator("#f-problem_grade")).to_be_disabled()
    expect(page.locator("#f-problem_grade")).to_have_value("critical")
    expect(page.locator("#f-problem_status")).to_have_value("identified")
    expect(page.locator("#f-impact")).to_have_value("4.3")                 # the current scores to start from
    page.select_option("#f-review_action", "regrade")
    page.fill("#f-impact", "2")
    page.fill("#f-diffusion", "2")
    page.fill("#f-urgency", "2")
    page.check('input[name="decision"][value="approve"]')
    page.fill("#f-opinion", "关键工艺已导入新供应商，影响已明显减小。")
    submit(page, task_id)
    expect(inbox_rows(page, consortium, "复核问题")).to_have_count(0)

    # The summary, counted from the library, is confirmed.
    task_id = open_from_inbox(page, consortium, "确认复核结果")
    expected = {"summary_added": "1", "summary_regraded": "1", "summary_open": "1", "summary_general": "1",
                "summary_technology": "1"}
    for field, value in expected.items():
        expect(page.locator(f"#f-{field}")).to_have_value(value)
        expect(page.locator(f"#f-{field}")).to_have_attribute("readonly", "")
    page.check('input[name="decision"][value="approve"]')
    page.fill("#f-opinion", "复核完成。")
    submit(page, task_id)
    expect(inbox_rows(page, consortium, "确认复核结果")).to_have_count(0)

    # The library shows the new grade: general, total 2.00, still identified.
    page.goto(problem_url)
    expect(page.locator("#problem-grade")).to_have_text(re.compile(r"^\s*★\s*一般\s*$"))
    expect(page.locator("#problem-status")).to_have_text("已识别")
    expect(scores_cells(page)).to_have_text(
        [re.compile(r"^2(\.0)?$"), re.compile(r"^2(\.0)?$"), re.compile(r"^2(\.0)?$"), re.compile(r"^2(\.00)?$"),
         re.compile(r"^★\s*一般$")])
    cells = problem_row(page, server, TITLE).locator("td")
    expect(cells.nth(5)).to_have_text(re.compile(r"^\s*★\s*一般\s*$"))

    assert page.js_errors == [], page.js_errors
