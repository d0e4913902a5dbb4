"""抄送 with the people picker: the case page and the task page offer it with the directory (display
names, units, groups); several people are sent one `user` each; a refused copy comes back to the
page with its message and the people chosen, shown by their display names."""
import html as htmllib
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from app.extensions import db
from app.models import CarbonCopy, HumanTask, User
from app.services.workflow import cases, tasks


def _expert_case(user, open_task):
    case = cases.start_instance(user("manager"), "expert_review")
    tasks.complete(user("manager"), open_task(case).id, {
        "title": "柔轮寿命分级评审", "summary": "缺陷率3.2%，高于行业先进水平。", "experts": "expert1,expert2",
        "decision": "approve"})
    return case


def _copied(case):
    db.session.expire_all()
    return sorted(db.session.execute(select(User.username).join(CarbonCopy, CarbonCopy.user_id == User.id)
                                     .where(CarbonCopy.instance_id == case.id)).scalars())


def test_the_case_page_copies_to_several_people_chosen_with_the_picker(browser, user, open_task):
    case = _expert_case(user, open_task)
    manager = browser("manager")
    page = htmllib.unescape(manager.get(f"/instances/{case.id}").get_data(as_text=True))
    assert 'list="user-directory"' in page and 'data-people-picker="cc-picked"' in page
    assert f'value="city2" data-name="{user("city2").display_name}"' in page
    done = manager.post(f"/instances/{case.id}/cc", data={"user": ["auditor", "city2"], "note": "供参考"})
    assert urlparse(done.location).path == f"/instances/{case.id}" and not urlparse(done.location).query
    assert _copied(case) == ["auditor", "city2"]
    flashed = htmllib.unescape(manager.get(done.location).get_data(as_text=True))
    assert user("city2").display_name in flashed                 # the message names people, not accounts


def test_a_refused_copy_stays_on_the_page_with_the_people_chosen(browser, user, open_task):
    case = _expert_case(user, open_task)
    manager = browser("manager")
    refused = manager.post(f"/instances/{case.id}/cc", data={"user": ["city2", "applicant2"]})
    assert parse_qs(urlparse(refused.location).query)["cc"] == ["city2", "applicant2"]
    assert _copied(case) == []                                    # all or nothing
    page = htmllib.unescape(manager.get(refused.location).get_data(as_text=True))
    assert "flash error" in page and "applicant2" in page         # the message names who may not receive it
    assert '<input type="hidden" name="user" value="city2">' in page
    assert user("city2").display_name in page


def test_the_task_page_offers_the_picker_and_comes_back_to_the_task(browser, user, open_task):
    case = _expert_case(user, open_task)
    row = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.status == "open")
                             .order_by(HumanTask.id)).scalars().first()
    holder = browser(row.assignee.username)
    page = htmllib.unescape(holder.get(f"/tasks/{row.id}").get_data(as_text=True))
    assert 'id="cc-form"' in page and f'name="task" value="{row.id}"' in page and 'id="user-directory"' in page
    back = holder.post(f"/instances/{case.id}/cc", data={"user": ["city2"], "task": str(row.id)})
    assert urlparse(back.location).path == f"/tasks/{row.id}"
    assert _copied(case) == ["city2"]
    refused = holder.post(f"/instances/{case.id}/cc", data={"users": "applicant2", "task": str(row.id)})
    assert urlparse(refused.location).path == f"/tasks/{row.id}"
    assert parse_qs(urlparse(refused.location).query)["cc"] == ["applicant2"]
