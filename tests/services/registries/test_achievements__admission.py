"""The admission case (bpmn/achievement_admission.bpmn) end to end on the library's commands:
a member applies directly, the managing body reviews, returns, asks experts, decides the level;
publication; the right's expiry opens a delisting review; the managing body's own request too."""
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import AccessGrant, Achievement, HumanTask, Notification, ProcessInstance, TimerJob
from app.models.states import AchievementStatus, InstanceStatus, ShareLevel, TaskStatus
from app.services.errors import Forbidden, ValidationFailed
from app.services.registries.achievements import access, detail, requests
from app.services.workflow import cases, tasks, timer_firing
from tests.achievement_support import achievement_data
from tests.problem_support import PDF, A, make_consortium, user

OK = {"decision": "approve", "opinion": "同意。"}
REVIEW_OK = {"decision": "approve", "rights_clear": True, "no_dispute": True, "information_true": True,
             "opinion": "权属清晰，材料齐全。"}


def _open(case, username=None):
    rows = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case.id,
                                                      HumanTask.status == TaskStatus.OPEN)).scalars().all()
    if username:
        rows = [r for r in rows if r.assignee is not None and r.assignee.username == username] or rows
    return rows[0]


def _do(case, username, data, files=()):
    task, actor = _open(case, username), user(username)
    if task.assignee_id is None:
        tasks.claim(actor, task.id)
    tasks.complete(actor, task.id, data, files=files)


def _form(consortium, **overrides):
    data = achievement_data(consortium.id, **overrides)
    data.pop("contributor_user")
    return {**{k: v for k, v in data.items() if v is not None}, "decision": "approve"}


def _submit(case, consortium, **overrides):
    _do(case, "applicant", _form(consortium, **overrides),
        files=[FileStorage(stream=io.BytesIO(PDF), filename="专利证书.pdf")])


def _applied():
    return db.session.get(HumanTask, requests.apply_directly(user("applicant"))).instance


def _achievement(case):
    return db.session.execute(select(Achievement).where(Achievement.instance_id == case.id)).scalar_one()


def test_member_applies_and_the_managing_body_publishes(app):
    consortium = make_consortium(A)
    case = _applied()
    assert _open(case).assignee.username == "applicant"
    _submit(case, consortium, share_level=ShareLevel.CONSORTIUM)
    achievement = _achievement(case)
    assert achievement.status == AchievementStatus.UNDER_REVIEW and achievement.number.startswith("GZ-CG-")
    _do(case, "manager", {"decision": "return", "opinion": "请补充专利证书。"})
    _submit(case, consortium, share_level=ShareLevel.CONSORTIUM, name="柔轮热处理工艺（修订）")
    _do(case, "manager", {**REVIEW_OK, "experts": "expert1,expert2"})
    _do(case, "expert1", OK)
    _do(case, "expert2", OK)
    _do(case, "manager", {"decision": "approve", "share_level": ShareLevel.DIRECTED, "share_conditions": "agreement"})
    db.session.expire_all()
    achievement = _achievement(case)
    assert (achievement.status, achievement.share_level, achievement.name) == \
        (AchievementStatus.PUBLISHED, ShareLevel.DIRECTED, "柔轮热处理工艺（修订）")
    assert db.session.get(ProcessInstance, case.id).status == InstanceStatus.RUNNING   # listed: waits


def test_review_needs_the_three_checks(app):
    consortium = make_consortium(A)
    case = _applied()
    _submit(case, consortium)
    with pytest.raises(ValidationFailed) as refused:
        _do(case, "manager", {**REVIEW_OK, "no_dispute": False})
    assert "no_dispute" in refused.value.errors


def test_outsiders_cannot_apply(app):
    make_consortium(A)
    with pytest.raises(Forbidden):
        requests.apply_directly(user("expert1"))


def test_expiry_opens_a_delisting_review_and_delisting_hides_it(app):
    consortium = make_consortium(A)
    case = _applied()
    expires = date.today() + timedelta(days=3)
    _submit(case, consortium, right_expires_on=expires.isoformat())
    _do(case, "manager", REVIEW_OK)
    _do(case, "manager", {"decision": "approve", "share_level": ShareLevel.PUBLIC, "share_conditions": "free"})
    job = db.session.execute(select(TimerJob).where(TimerJob.instance_id == case.id,
                                                   TimerJob.element_id == "right_expires")).scalars().one()
    timer_firing.fire_due(at=job.due_at + timedelta(seconds=1))
    db.session.expire_all()
    review = _open(case)
    assert review.element_id == "delisting_review"
    _do(case, "manager", {"decision": "approve", "opinion": "专利已失效，下架。"})
    db.session.expire_all()
    achievement = _achievement(case)
    assert achievement.status == AchievementStatus.DELISTED
    now = datetime.now(timezone.utc)
    assert not access.may_read(db.session, None, achievement.id, now)
    assert not access.may_read(db.session, user("applicant"), achievement.id, now)
    notice = detail.achievement_detail(user("applicant"), now, achievement.id)     # the contributor is told
    assert notice.withdrawn and not notice.readable and not notice.proofs
    assert not access.may_read(db.session, user("city"), achievement.id, now)
    assert access.may_read(db.session, user("manager"), achievement.id, now)
    assert db.session.get(ProcessInstance, case.id).status == InstanceStatus.COMPLETED


def test_managing_body_asks_for_a_delisting_review_and_keeps_it(app):
    consortium = make_consortium(A)
    case = _applied()
    _submit(case, consortium, right_expires_on=None)
    _do(case, "manager", REVIEW_OK)
    _do(case, "manager", {"decision": "approve", "share_level": ShareLevel.PUBLIC, "share_conditions": "free"})
    achievement_id = _achievement(case).id
    with pytest.raises(Forbidden):
        requests.request_delisting(user("applicant"), achievement_id, "不再适用")
    requests.request_delisting(user("manager"), achievement_id, "技术已被新标准替代，请复核。")
    review = _open(case)
    assert review.element_id == "delisting_review"
    _do(case, "manager", {"decision": "reject", "right_status": "granted", "right_expires_on": "2040-01-01",
                          "opinion": "仍然适用，保留。"})
    db.session.expire_all()
    achievement = _achievement(case)
    assert achievement.status == AchievementStatus.PUBLISHED and achievement.right_expires_on == date(2040, 1, 1)
    assert db.session.execute(select(TimerJob).where(TimerJob.instance_id == case.id, TimerJob.status == "pending",
                                                     TimerJob.element_id == "right_expires")).scalars().one()


def test_the_delisting_review_names_the_holders_in_force_and_delisting_tells_them(app):
    consortium = make_consortium(A)
    case = _applied()
    _submit(case, consortium, right_expires_on=None)
    _do(case, "manager", REVIEW_OK)
    _do(case, "manager", {"decision": "approve", "share_level": ShareLevel.DIRECTED, "share_conditions": "agreement"})
    achievement = _achievement(case)
    now = datetime.now(timezone.utc)
    holder = user("expert3")
    db.session.add(AccessGrant(achievement_id=achievement.id, requester_id=holder.id, status="granted",
                               valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=9)))
    db.session.commit()
    requests.request_delisting(user("manager"), achievement.id, "技术已被替代。")
    review = _open(case)
    assert holder.display_name in cases.task_data(review)["agreements_in_force"]
    _do(case, "manager", {"decision": "approve", "opinion": "下架。"})
    told = db.session.execute(select(Notification).where(Notification.user_id == holder.id,
                                                         Notification.kind == "achievement")).scalars().all()
    assert len(told) == 1 and achievement.number in told[0].message
    assert not access.may_read(db.session, holder, achievement.id, datetime.now(timezone.utc))


def test_applying_again_returns_to_the_form_not_yet_submitted(app):
    consortium = make_consortium(A)
    first = requests.apply_directly(user("applicant"))
    assert requests.apply_directly(user("applicant")) == first
    case = db.session.get(HumanTask, first).instance
    _submit(case, consortium)
    assert requests.apply_directly(user("applicant")) != first
