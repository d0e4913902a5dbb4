"""A decided countersign or vote reads as people expect: the tally with its rule, each approver's
own opinion under their own name, and who had not voted when the step ended (and was told)."""
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, Notification, User
from app.services.workflow import cases, tasks


def _sign(user, case, username, opinion):
    rows = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id,
                                                      HumanTask.status == "open")).scalars().all()
    row = next(r for r in rows if r.assignee and r.assignee.username == username)
    tasks.complete(user(username), row.id, {"decision": "approve", "opinion": opinion})


def test_the_case_page_shows_the_tally_and_each_opinion_under_its_author(browser, user, open_task):
    case = cases.start_instance(user("manager"), "expert_review")
    tasks.complete(user("manager"), open_task(case).id, {
        "title": "某质量问题分级评审", "summary": "缺陷率3.2%，高于行业先进水平。", "experts": "expert1,expert2,expert3",
        "decision": "approve"})
    for name, opinion in (("expert1", "数据充分"), ("expert2", "同意分级"), ("expert3", "建议跟踪")):
        _sign(user, case, name, opinion)
    for name in ("expert1", "expert2", "expert3"):          # the panel of five: 3 of 5 reach 60 %
        _sign(user, case, name, f"{name}票")
    page = browser("manager", lang="zh").get(f"/instances/{case.id}").get_data(as_text=True)
    names = {u.username: u.display_name for u in db.session.execute(select(User)).scalars()}
    assert f"<strong>{names['expert2']}</strong> 同意：同意分级" in page       # under its own author
    assert "3 同意 → 通过" in page
    assert "60%" in page                                                    # the vote's threshold
    for absent in ("expert4", "expert5"):
        assert f'data-not-signed="{absent}"' in page
        told = db.session.execute(select(Notification).where(
            Notification.user_id == user(absent).id, Notification.kind == "cancelled")).scalars().all()
        assert len(told) == 1
