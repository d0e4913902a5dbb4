"""Approver actions through the browser views: transfer, delegate, signers, CC, bell."""
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask
from app.services.workflow import cases, deploy, tasks


def _expert_case(user, open_task):
    case = cases.start_instance(user("manager"), "expert_review")
    tasks.complete(user("manager"), open_task(case).id, {
        "title": "某质量问题分级评审", "summary": "缺陷率3.2%，高于行业先进水平。", "experts": "expert1,expert2",
        "decision": "approve"})
    return case


def _row(case, username):
    rows = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id,
                                                      HumanTask.status == "open")).scalars().all()
    return next(r for r in rows if r.assignee and r.assignee.username == username)


def _allow_signer_changes(user):
    """The expert review as deployed, with its countersign letting the experts change the panel."""
    with open("bpmn/expert_review.bpmn", "rb") as source:
        xml = source.read().replace(b'<camunda:property name="approvalMode" value="countersign"',
                                    b'<camunda:property name="signerChanges" value="allowed"/>'
                                    b'<camunda:property name="approvalMode" value="countersign"')
    deploy.deploy(user("admin"), xml, "expert_review.bpmn")


def test_experts_do_not_change_the_panel_unless_the_step_allows_it(browser, user, open_task):
    case = _expert_case(user, open_task)
    row = _row(case, "expert1")
    expert1 = browser("expert1")
    page = expert1.get(f"/tasks/{row.id}").get_data(as_text=True)
    assert 'id="signers"' in page and 'id="add-signer"' not in page and 'id="remove-signer"' not in page
    refused = expert1.post(f"/tasks/{row.id}/signers", data={"user": "expert3", "reason": "回避"},
                           follow_redirects=True)
    assert "does not let its approvers change who signs" in refused.get_data(as_text=True)
    assert [r.assignee.username for r in db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == "open")).scalars()] == ["expert1", "expert2"]


def test_signers_transfer_and_copies_from_the_task_page(browser, user, open_task):
    _allow_signer_changes(user)
    case = _expert_case(user, open_task)
    row = _row(case, "expert1")
    expert1 = browser("expert1")
    page = expert1.get(f"/tasks/{row.id}").get_data(as_text=True)
    assert 'id="signers"' in page and "expert2" in page and 'id="add-signer"' in page
    no_reason = expert1.post(f"/tasks/{row.id}/signers", data={"user": "expert3"}, follow_redirects=True)
    assert "A reason is required" in no_reason.get_data(as_text=True)
    assert expert1.post(f"/tasks/{row.id}/signers", data={"user": "expert3", "reason": "需要检测专家"}).status_code == 302
    assert _row(case, "expert3")
    expert1.post(f"/tasks/{row.id}/signers/remove", data={"user": "expert3", "reason": "已由他人覆盖"})
    db.session.expire_all()
    assert [r.assignee.username for r in db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case.id, HumanTask.status == "open")).scalars()] == ["expert1", "expert2"]
    moved = expert1.post(f"/tasks/{row.id}/transfer", data={"user": "expert4"}, follow_redirects=True)
    assert user("expert4").display_name in moved.get_data(as_text=True)      # the flash names the person
    db.session.expire_all()
    assert _row(case, "expert4").id == row.id
    refused = expert1.post(f"/tasks/{row.id}/transfer", data={"user": "expert5"}, follow_redirects=True)
    assert "error" in refused.get_data(as_text=True)          # no longer theirs: a message, not a crash

    manager = browser("manager")
    manager.post(f"/instances/{case.id}/cc", data={"users": "auditor，city2", "note": "供参考"})
    cc_page = browser("city2").get("/cc").get_data(as_text=True)
    assert "某质量问题分级评审" in cc_page and "Unread" in cc_page
    bell = browser("expert4").get("/notifications").get_data(as_text=True)
    assert "某质量问题分级评审" in bell
    assert "Task transferred to you: Experts countersign" in bell and "专家会签" not in bell   # English UI
    chinese = browser("expert4", lang="zh_CN").get("/notifications").get_data(as_text=True)
    assert "任务转办给您：专家会签" in chinese
    assert "Experts countersign" not in chinese


def test_delegation_through_the_pages(browser, user, open_task):
    case = _expert_case(user, open_task)
    row = _row(case, "expert2")
    browser("expert2").post(f"/tasks/{row.id}/delegate", data={"user": "expert5"})
    delegate = browser("expert5")
    page = delegate.get(f"/tasks/{row.id}").get_data(as_text=True)
    assert 'id="resolve-form"' in page and 'id="submit"' not in page
    delegate.post(f"/tasks/{row.id}/resolve", data={"opinion": "建议通过"})
    db.session.expire_all()
    assert _row(case, "expert2").delegation_state == "resolved"


def test_withdraw_from_the_case_page(browser, user, open_task, application_form):
    case = cases.start_instance(user("applicant"), "consortium_application")
    tasks.complete(user("applicant"), open_task(case).id, application_form("tianhe"))
    applicant = browser("applicant")
    page = applicant.get(f"/instances/{case.id}").get_data(as_text=True)
    assert 'id="withdraw"' in page and 'id="urge"' in page
    applicant.post(f"/instances/{case.id}/take-back/withdraw")
    db.session.expire_all()
    assert open_task(case).element_id == "fill_application"


def test_admin_pages_for_incidents_and_the_calendar(browser):
    admin = browser("admin")
    assert admin.get("/admin/incidents").status_code == 200
    admin.post("/admin/calendar", data={"day": "2026-10-01", "name": "国庆节"})
    assert "2026-10-01" in admin.get("/admin/calendar").get_data(as_text=True)
    bad = admin.post("/admin/calendar", data={"day": "tomorrow"}, follow_redirects=True)
    assert "error" in bad.get_data(as_text=True)
    assert browser("city").get("/admin/calendar").status_code == 403


def test_hidden_fields_are_not_shown_at_that_step(browser, user, open_task, application_form):
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "bpmn" / "consortium_application.bpmn").read_bytes()
    step = source.index(b'<bpmn:userTask id="lead_unit_opinion"')
    at = source.index(b'</camunda:properties>', step)        # the lead unit step's own properties
    hidden = source[:at] + b'<camunda:property name="fieldsHidden" value="mobile,phone" />' + source[at:]
    assert hidden != source
    deploy.deploy(user("admin"), hidden, "consortium_application.bpmn")
    case = cases.start_instance(user("applicant"), "consortium_application")
    form = application_form("tianhe")
    tasks.complete(user("applicant"), open_task(case).id, form)
    leader = browser("leader", lang="en")
    page = leader.get(f"/tasks/{open_task(case).id}").get_data(as_text=True)
    assert form["lead_person"] in page and form["mobile"] not in page
    case_page = leader.get(f"/instances/{case.id}").get_data(as_text=True)
    assert form["lead_person"] in case_page and form["mobile"] not in case_page
    assert form["mobile"] in browser("applicant").get(f"/instances/{case.id}").get_data(as_text=True)
    api = leader.get(f"/api/v1/instances/{case.id}").get_json()
    filled = next(e for e in api["events"] if e["type"] == "task_completed")
    assert "lead_person" in filled["data"]["form"] and "mobile" not in filled["data"]["form"]


def test_the_people_picker_names_people_and_a_refusal_stays_on_the_task(browser, user, open_task):
    case = _expert_case(user, open_task)
    row = _row(case, "expert1")
    expert1 = browser("expert1", lang="zh")
    page = expert1.get(f"/tasks/{row.id}").get_data(as_text=True)
    picker = page[page.index('<datalist id="user-directory">'):page.index("</datalist>")]
    assert user("expert4").display_name in picker and "专家" in picker          # by name and by group
    refused = expert1.post(f"/tasks/{row.id}/transfer", data={"user": "nobody_at_all"})
    assert refused.status_code == 302 and refused.location.endswith(f"/tasks/{row.id}")   # stays on the task
