"""A consortium application walked through in Chromium, as its real users would.

The applicant fills in App. A (with a typing mistake first), the lead unit's
leader gives an opinion, the district office returns it for revision, the
applicant resubmits, and leader, district and city approve; then the case page
(diagram, timeline, audit chain) and the consortium registry are checked.
Every step goes through the pages and their forms, with CSRF on.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.domain.credit_code import make_credit_code
from app.extensions import db
from app.models import HumanTask, User
from app.models.states import TaskStatus
from app.services import demo
from app.services.workflow import cases, tasks
from tests.browser.people import log_in, log_out

pytestmark = pytest.mark.browser

DISTRICT = "haizhu"              # where the lead unit is registered; its office reviews the case
CONSORTIUM = "智能传感器产业链质量创新联合体"
APPLICANT_UNIT = "广州智能装备集团有限公司"    # the demo applicant's unit (app/services/demo.py UNITS)
LEAD_CODE = make_credit_code("9144010112345678")
MEMBER_1 = make_credit_code("9144010123456789")
MEMBER_2 = make_credit_code("9144010134567890")
RETURN_OPINION = "成员单位名单需补充第二家单位的联系人手机号，请核实后重新提交。"


def _mistyped(code):
    """The same code with its last (check) character changed: a typical typing mistake."""
    return code[:-1] + ("0" if code[-1] != "0" else "1")


# --- what a user does -------------------------------------------------------------------------



def open_from_inbox(page, business_key):
    """Inbox → the row of this case → its task page; returns the task id."""
    page.click("#nav-inbox")
    row = page.locator("#inbox-table tbody tr", has_text=business_key)
    expect(row).to_have_count(1)
    task_id = row.get_attribute("data-task-id")
    row.locator("td").first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{task_id}$"))
    return task_id


def confirm_and_submit(page):
    """退回 and 不同意 ask first: the question is shown, and the reviewer confirms it."""
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.click("#submit")
    assert questions and questions[0]


def review(page, server, username, business_key, decision, opinion):
    """A reviewer logs in, finds the case in the inbox, claims it and decides."""
    log_in(page, server, username)
    task_id = open_from_inbox(page, business_key)
    # the application under review is shown read-only above the decision form
    expect(page.get_by_text(CONSORTIUM).first).to_be_visible()
    page.click("#claim")
    expect(page.locator("#claim")).to_have_count(0)
    page.check(f'input[name="decision"][value="{decision}"]')
    page.fill('textarea[name="opinion"]', opinion)
    page.click("#submit") if decision == "approve" else confirm_and_submit(page)
    expect(page).to_have_url(re.compile(r"/tasks(\?.*)?$"))
    expect(page.locator(f'#inbox-table tr[data-task-id="{task_id}"]')).to_have_count(0)
    log_out(page)


def fill_member(page, row, name, code, contact, phone):
    page.fill(f'input[name="members-{row}-name"]', name)
    page.fill(f'input[name="members-{row}-credit_code"]', code)
    page.fill(f'input[name="members-{row}-contact"]', contact)
    page.fill(f'input[name="members-{row}-phone"]', phone)


# --- the tests --------------------------------------------------------------------------------

def test_application_walks_from_form_to_consortium_registry(page, live_server):
    server = live_server

    # 1. The applicant starts an application from the start page: the form, no case yet.
    log_in(page, server, "applicant")
    page.click("#nav-start")
    page.click('[data-start="consortium_application"]')
    expect(page).to_have_url(re.compile(r"/processes/consortium_application/new$"))
    expect(page.locator("#submit")).to_be_visible()
    expect(page.locator("#return-notice")).to_have_count(0)

    # 2. It fills in App. A, with one member's credit code mistyped.
    page.fill("#f-consortium_name", CONSORTIUM)
    page.fill("#f-chain_domain", "智能传感器")
    page.select_option("#f-district", DISTRICT)
    page.fill("#f-lead_unit_name", "广州智能装备集团有限公司")
    page.select_option("#f-lead_unit_type", "chain_owner")
    page.fill("#f-lead_unit_credit_code", LEAD_CODE)
    page.fill("#f-lead_person", "张伟")
    page.fill("#f-phone", "020-38880000")
    page.fill("#f-mobile", "13800138000")
    fill_member(page, 0, "广州传感技术有限公司", _mistyped(MEMBER_1), "李娜", "13900139000")
    page.fill("#f-goals", "三年内传感器关键零部件合格率由95%提升至99%，形成团体标准2项。")
    page.fill("#f-work_plan", "第一年完成质量图谱绘制；第二年组织联合攻关；第三年推广成果并开展绩效评价。")
    page.click("#submit")

    # The error sits next to the wrong field; everything typed is still there.
    error = page.locator('[data-error-for="members.0.credit_code"]')
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    cell = page.locator('td:has(input[name="members-0-credit_code"])')
    expect(cell).to_have_class(re.compile(r"\bhas-error\b"))
    expect(cell.locator(".field-error")).to_have_count(1)
    expect(page.locator(".field-error")).to_have_count(1)      # nothing else is flagged
    expect(page.locator('input[name="members-0-credit_code"]')).to_be_focused()   # ready to correct
    expect(page.locator('input[name="members-0-credit_code"]')).to_have_value(_mistyped(MEMBER_1))
    expect(page.locator("#f-consortium_name")).to_have_value(CONSORTIUM)
    expect(page.locator("#f-district")).to_have_value(DISTRICT)
    expect(page.locator("#f-lead_unit_type")).to_have_value("chain_owner")
    expect(page.locator("#f-lead_unit_credit_code")).to_have_value(LEAD_CODE)
    expect(page.locator('input[name="members-0-name"]')).to_have_value("广州传感技术有限公司")
    expect(page.locator("#f-goals")).to_have_value(re.compile("合格率由95%提升至99%"))

    # 3. It corrects the code, adds a second member with "add a row", and saves a draft.
    page.fill('input[name="members-0-credit_code"]', MEMBER_1)
    page.click('[data-add-row="members"]')
    expect(page.locator('table[data-table="members"] tbody tr[data-row]')).to_have_count(2)
    expect(page.locator('input[name="members-1-name"]')).to_have_value("")
    expect(page.locator('tr[data-row]').nth(1).locator(".field-error")).to_have_count(0)
    fill_member(page, 1, "广州微电子研究院", MEMBER_2, "王芳", "020-38881234")
    page.click("#save-draft")        # the first save creates the numbered case
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    business_key = page.locator(".crumbs a").nth(1).inner_text().strip()
    assert re.fullmatch(r"[A-Z]+-\d{8}-[0-9A-F]{8}", business_key), business_key
    expect(page.locator(".field-error")).to_have_count(0)
    expect(page.locator('input[name="members-1-credit_code"]')).to_have_value(MEMBER_2)
    page.reload()       # the draft is kept on the server, not only in the page
    expect(page.locator('input[name="members-0-credit_code"]')).to_have_value(MEMBER_1)
    expect(page.locator('input[name="members-1-name"]')).to_have_value("广州微电子研究院")
    expect(page.locator("#f-district")).to_have_value(DISTRICT)

    # 4. It submits; the task leaves its inbox.
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/tasks(\?.*)?$"))
    expect(page.locator("#inbox-table tbody tr", has_text=business_key)).to_have_count(0)
    log_out(page)

    # 5. Lead unit approves; the district office returns it for revision.
    review(page, server, "leader", business_key, "approve", "同意申报，牵头单位承诺配套资金。")
    review(page, server, f"district_{DISTRICT}", business_key, "return", RETURN_OPINION)

    # 6. The applicant finds it back in the inbox, tagged 退回, with its data, and resubmits.
    log_in(page, server, "applicant")
    page.click("#nav-inbox")
    expect(page.locator("#inbox-count")).to_have_text(re.compile(r"^\d+$"))       # the badge counts it
    expect(page.locator("#inbox-table tbody tr", has_text=business_key).locator(".tag.returned")).to_be_visible()
    open_from_inbox(page, business_key)
    expect(page.locator("#return-notice")).to_contain_text(RETURN_OPINION)   # why it came back
    expect(page.locator("#submit")).to_be_visible()
    expect(page.locator("#f-consortium_name")).to_have_value(CONSORTIUM)
    expect(page.locator('input[name="members-1-credit_code"]')).to_have_value(MEMBER_2)
    page.fill('input[name="members-1-phone"]', "13700137000")
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/tasks(\?.*)?$"))
    expect(page.locator("#inbox-table tbody tr", has_text=business_key)).to_have_count(0)
    log_out(page)

    # 7. Leader, district office and city office approve. The lead unit's inbox says who applied,
    #    and when the step is due (3 working days).
    log_in(page, server, "leader")
    page.click("#nav-inbox")
    row = page.locator("#inbox-table tbody tr", has_text=business_key)
    expect(row.locator("td").nth(1)).to_have_text(APPLICANT_UNIT)
    expect(row.locator("td.due")).to_contain_text("剩余")
    log_out(page)
    review(page, server, "leader", business_key, "approve", "同意。")
    review(page, server, f"district_{DISTRICT}", business_key, "approve", "材料齐全，同意推荐。")
    review(page, server, "city", business_key, "approve", "同意组建。")

    # 8. The applicant sees the case completed under "My applications" and opens it.
    log_in(page, server, "applicant")
    page.goto(server("/instances/mine"))
    row = page.locator("#instance-table tbody tr", has_text=business_key)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(4)).to_have_text(re.compile(r"Completed|已完成"))
    expect(row.locator("td").nth(4)).to_have_text(re.compile(r"Approved|已批准|批准"))
    row.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))

    diagram = page.locator('#diagram[data-rendered="true"]')
    expect(diagram).to_be_visible()
    city = page.locator('#diagram g.djs-element[data-element-id="city_review"]')
    expect(city).to_have_count(1)
    expect(city).to_have_class(re.compile(r"\bcq-done\b"))
    expect(page.locator('#diagram g.djs-element[data-element-id="fill_application"]')).to_have_class(
        re.compile(r"\bcq-done\b"))
    expect(page.locator("#diagram .cq-active")).to_have_count(0)

    returned = page.locator("#timeline tbody tr.ev-task_completed", has_text=RETURN_OPINION)
    expect(returned).to_have_count(1)
    expect(returned).to_contain_text(re.compile(r"Return for revision|退回修改"))
    expect(page.locator("#timeline tbody tr.ev-task_completed")).to_have_count(7)
    chain = page.locator("#chain-status")
    expect(chain).to_have_class(re.compile(r"\bok\b"))
    expect(chain).to_contain_text(re.compile(r"\d+"))

    # 9. The consortium is in the registry, with both members.
    page.goto(server("/consortia"))
    listed = page.locator("#consortia-table tbody tr", has_text=CONSORTIUM)
    expect(listed).to_have_count(1)
    listed.locator("a").first.click()
    expect(page.locator("h1")).to_have_text(CONSORTIUM)
    members = page.locator("#members-table tbody tr")
    expect(members).to_have_count(2)
    expect(page.locator("#members-table")).to_contain_text(MEMBER_1)
    expect(page.locator("#members-table")).to_contain_text(MEMBER_2)

    assert page.js_errors == [], page.js_errors


def test_other_district_office_neither_sees_nor_opens_the_case(page, live_server):
    """A case waiting for Liwan's office is invisible to Nansha's: not in its inbox, 403 on the URLs."""
    server = live_server
    with server.app.app_context():     # set up through the services: only the refusal is under test
        users = {u.username: u for u in db.session.execute(select(User)).scalars()}
        instance = cases.start_instance(users["applicant"], "consortium_application")
        data = demo.application_data("工业软件", "工业软件", "liwan", demo.UNITS[0][1], members=1)

        def open_task():
            return db.session.execute(select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)).scalar_one()
        tasks.complete(users["applicant"], open_task().id, data)
        lead = open_task()
        tasks.claim(users["leader"], lead.id)
        tasks.complete(users["leader"], lead.id, {"decision": "approve", "opinion": "同意。"})
        waiting = open_task()
        assert waiting.element_id == "district_review"
        instance_id, task_id, key = instance.id, waiting.id, instance.business_key
        db.session.remove()

    # the right office sees it (so the refusal below is not vacuous) ...
    log_in(page, server, "district_liwan")
    expect(page.locator(f'#inbox-table tr[data-task-id="{task_id}"]')).to_have_count(1)
    log_out(page)

    # ... another district's office does not, and may not open it
    log_in(page, server, "district_nansha")
    page.goto(server("/tasks"))
    expect(page.locator("#inbox-table")).to_be_visible()
    expect(page.locator("#inbox-table tbody tr", has_text=key)).to_have_count(0)
    expect(page.locator(f'#inbox-table tr[data-task-id="{task_id}"]')).to_have_count(0)
    for path in (f"/instances/{instance_id}", f"/tasks/{task_id}", f"/instances/{instance_id}/diagram.xml"):
        response = page.goto(server(path))
        assert response.status == 403, (path, response.status)
        expect(page.locator("main h1")).to_have_text(re.compile(r"Not allowed|不允许|无权"))
        expect(page.locator("body")).not_to_contain_text(key)
    page.goto(server("/instances"))
    expect(page.locator("#instance-table tbody tr", has_text=key)).to_have_count(0)
