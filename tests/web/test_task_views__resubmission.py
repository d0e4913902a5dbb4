"""After a return for revision, the reviewer who returned it sees what the applicant changed."""
from app.services.workflow import cases, tasks


def test_the_district_office_sees_the_changes_since_it_returned_the_case(browser, user, open_task,
                                                                        application_form):
    form = application_form("tianhe")
    case = cases.start_instance(user("applicant"), "consortium_application")
    tasks.complete(user("applicant"), open_task(case).id, form)
    tasks.complete(user("leader"), _claimed(user, open_task(case), "leader"), {"decision": "approve", "opinion": "同意"})
    office = user("district_tianhe")
    tasks.complete(office, _claimed(user, open_task(case), "district_tianhe"),
                   {"decision": "return", "opinion": "请补充工作计划"})
    first_visit = browser("district_tianhe", lang="zh").get(f"/instances/{case.id}").get_data(as_text=True)
    assert 'id="resubmission"' not in first_visit
    revised = dict(form, work_plan=form["work_plan"] + "（已补充季度安排）")
    tasks.complete(user("applicant"), open_task(case).id, revised)
    tasks.complete(user("leader"), _claimed(user, open_task(case), "leader"), {"decision": "approve", "opinion": "同意"})
    page = browser("district_tianhe", lang="zh").get(f"/tasks/{open_task(case).id}").get_data(as_text=True)
    assert 'id="resubmission"' in page and "请补充工作计划" in page
    assert 'data-field="work_plan"' in page and "已补充季度安排" in page
    assert 'data-field="consortium_name"' not in page                # unchanged fields are not listed


def _claimed(user, task, username):
    if task.assignee_id is None:
        tasks.claim(user(username), task.id)
    return task.id
