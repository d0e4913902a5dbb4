"""A sharing request, a licence application or an achievement admission whose case ends early (its
applicant cancels it, an administrator terminates it) is withdrawn in the same command; what the case
had decided (a grant, a licence in force, a publication) stays, and the applicant can no longer cancel."""
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import Achievement, AuditEvent, HumanTask, Notification
from app.models.states import AchievementStatus, GrantStatus, LicenceStatus, ShareLevel
from app.services.errors import Conflict
from app.services.operations import cancellation, termination
from app.services.registries.achievements import access, requests
from app.services.registries.achievements.sharing_requests import request_sharing
from tests.achievement_support import REVIEWED, _act, achievement_data
from tests.licence_support import apply, case_of as licence_case, licence, paid_achievement, step, to_in_force
from tests.problem_support import PDF, A, act, make_consortium, user
from tests.sharing_support import case_of, directed_achievement, grant_of

PURPOSE = "评估柔轮热处理工艺在本公司产线的适用性。"


def chain_types(case):
    return [e.type for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == case.id).order_by(AuditEvent.seq)).scalars()]


def withdrawn_told(username, case):
    return db.session.execute(select(Notification).where(
        Notification.user_id == user(username).id, Notification.instance_id == case.id,
        Notification.kind == "withdrawn")).scalars().all()


def test_a_cancelled_sharing_request_is_withdrawn_and_may_be_asked_again(app):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 30)
    case = case_of(grant)
    assert cancellation.may_cancel(user("applicant2"), case)
    cancellation.cancel_own_case(user("applicant2"), case.id, "需求已变更")
    assert grant_of(grant.id).status == GrantStatus.WITHDRAWN and case_of(grant).status == "terminated"
    types = chain_types(case)      # the record's end follows the case's, on the case's chain
    assert types.index("achievement_sharing_withdrawn") > types.index("instance_cancelled")
    # the contributor side, who were asked, hear that the requester withdrew it
    assert withdrawn_told("applicant", case) and withdrawn_told("leader", case)
    again = request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    assert again.status == GrantStatus.REQUESTED


def test_a_terminated_sharing_request_is_withdrawn(app):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 30)
    termination.terminate(user("admin"), grant.instance_id, "重复申请")
    assert grant_of(grant.id).status == GrantStatus.WITHDRAWN
    [event] = [e for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == grant.instance_id, AuditEvent.type == "achievement_sharing_withdrawn")).scalars()]
    assert event.data["reason"] == "重复申请" and event.actor_id == user("admin").id


def test_a_granted_request_is_decided_its_period_stays_when_the_case_is_terminated(app):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 30)
    case = case_of(grant)
    act("leader", case, {"decision": "approve", "opinion": "同意。"})
    assert case_of(grant).status == "running"                  # waiting for the end of the period
    assert not cancellation.may_cancel(user("applicant2"), case_of(grant))
    with pytest.raises(Conflict, match="贡献方已答复"):
        cancellation.cancel_own_case(user("applicant2"), case.id, "不需要了")
    termination.terminate(user("admin"), case.id, "清理")
    grant = grant_of(grant.id)
    assert grant.status == GrantStatus.GRANTED
    assert access.may_read(db.session, user("applicant2"), achievement_id, grant.valid_from)


def test_a_cancelled_licence_application_is_withdrawn_and_blocks_nothing(app):
    achievement_id = paid_achievement()
    first = apply(achievement_id, licence_type="exclusive")
    with pytest.raises(Conflict):                              # the exclusive application blocks its scope
        apply(achievement_id, "applicant3", licence_type="exclusive")
    cancellation.cancel_own_case(user("applicant2"), first.instance_id, "改为普通许可")
    assert licence(first.id).status == LicenceStatus.WITHDRAWN
    assert "licence_status_changed" in chain_types(licence_case(first))
    assert apply(achievement_id, "applicant3", licence_type="exclusive").status == LicenceStatus.APPLIED


def test_an_accepted_licence_is_withdrawn_when_the_case_is_terminated(app):
    achievement_id = paid_achievement()
    applied = apply(achievement_id)
    step(applied, "contributor_review", "applicant", {"decision": "approve", "opinion": "同意许可。"})
    assert licence(applied.id).status == LicenceStatus.ACCEPTED
    termination.terminate(user("admin"), applied.instance_id, "双方协商解除")
    assert licence(applied.id).status == LicenceStatus.WITHDRAWN


def test_a_licence_in_force_is_decided(app):
    achievement_id = paid_achievement()
    in_force = to_in_force(apply(achievement_id).id)
    assert in_force.status == LicenceStatus.IN_FORCE and licence_case(in_force).status == "running"
    with pytest.raises(Conflict, match=in_force.number):
        cancellation.cancel_own_case(user("applicant2"), in_force.instance_id, "不要了")
    termination.terminate(user("admin"), in_force.instance_id, "清理")
    assert licence(in_force.id).status == LicenceStatus.IN_FORCE


def _under_review():
    """A consortium member's direct application, submitted: (its case, the achievement under review)."""
    consortium = make_consortium(A)
    case = db.session.get(HumanTask, requests.apply_directly(user("applicant"))).instance
    data = achievement_data(consortium.id)
    data.pop("contributor_user")
    _act(case, "applicant", {**data, "decision": "approve"},
         files=[FileStorage(stream=io.BytesIO(PDF), filename="专利证书.pdf")])
    achievement = db.session.execute(select(Achievement).where(Achievement.instance_id == case.id)).scalar_one()
    return case, achievement


def test_an_achievement_under_review_is_withdrawn_when_its_contributor_cancels(app):
    case, achievement = _under_review()
    assert achievement.status == AchievementStatus.UNDER_REVIEW
    cancellation.cancel_own_case(user("applicant"), case.id, "材料不全，补充后再报")
    db.session.expire_all()
    assert db.session.get(Achievement, achievement.id).status == AchievementStatus.WITHDRAWN
    assert withdrawn_told("manager", case)                      # the managing body's review step was open


def test_a_published_achievement_is_decided(app):
    case, achievement = _under_review()
    _act(case, "manager", REVIEWED)
    _act(case, "manager", {"decision": "approve", "share_level": ShareLevel.PUBLIC, "share_conditions": "free"})
    db.session.expire_all()
    assert db.session.get(Achievement, achievement.id).status == AchievementStatus.PUBLISHED
    with pytest.raises(Conflict, match=achievement.number):
        cancellation.cancel_own_case(user("applicant"), case.id, "撤回成果")
    termination.terminate(user("admin"), case.id, "清理")
    db.session.expire_all()
    assert db.session.get(Achievement, achievement.id).status == AchievementStatus.PUBLISHED
