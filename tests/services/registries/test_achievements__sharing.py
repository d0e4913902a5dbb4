"""Directed sharing (5.6.2) through bpmn/sharing_request.bpmn: the request becomes a grant, the
contributor consents (the requester reads from then until the period's end, when the scheduler's
timer expires the grant) or refuses, an unanswered request ends refused; who may ask and who may
answer."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Achievement, Notification
from app.models.states import GrantStatus, ShareLevel
from app.services import demo
from app.services.audit import replay, trail
from app.services.command import command
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.registries.achievements import access, admission, sharing
from app.services.registries.achievements.sharing_requests import request_sharing
from app.services.workflow import timer_firing
from tests.achievement_support import make_achievement
from tests.problem_support import A, act, make_consortium, open_rows, user
from tests.project_lifecycle_support import ONE_SECOND, pending_jobs
from tests.sharing_support import case_of, directed_achievement, grant_of, grants_of

PURPOSE = "评估柔轮热处理工艺在本公司产线的适用性。"


@pytest.fixture
def clock(app):
    """The service clock (timer_jobs.now): due times of new tasks are counted from it."""
    class Clock:
        now = datetime.now(timezone.utc)
    app.config["TIMER_CLOCK"] = lambda: Clock.now
    yield Clock
    app.config.pop("TIMER_CLOCK", None)


def told(username, kind="sharing"):
    return db.session.execute(select(Notification).where(
        Notification.user_id == user(username).id, Notification.kind == kind).order_by(Notification.id)).scalars().all()


def readable(username, achievement_id, at):
    return access.may_read(db.session, user(username), achievement_id, at)


def test_a_consented_request_is_read_until_the_period_ends_and_the_timer_expires_it(app, clock):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 30)
    case = case_of(grant)
    number = db.session.get(Achievement, achievement_id).number
    assert (grant.status, case.business_key, case.status) == (GrantStatus.REQUESTED, f"{number}-S1", "running")
    [row] = open_rows(case, "contributor_consent")
    assert set(row.candidate_users.split(",")) == {"applicant", "leader"} and row.due_at is not None
    assert not readable("applicant2", achievement_id, clock.now)
    act("leader", case, {"decision": "approve", "opinion": "同意，限评估使用。"})
    grant = grant_of(grant.id)
    assert grant.status == GrantStatus.GRANTED and grant.valid_until - grant.valid_from == timedelta(days=30)
    assert grant.decision_note == "同意，限评估使用。"
    until = grant.valid_until
    assert readable("applicant2", achievement_id, grant.valid_from)
    assert readable("applicant2", achievement_id, until - ONE_SECOND)
    assert not readable("applicant2", achievement_id, until)       # the rule ends it even before the timer
    assert not readable("applicant3", achievement_id, grant.valid_from)
    [job] = pending_jobs("bpmn_timer", case)
    assert (job.element_id, job.due_at) == ("access_ends", until)
    clock.now = until - ONE_SECOND
    timer_firing.fire_due(at=clock.now)
    assert grant_of(grant.id).status == GrantStatus.GRANTED
    clock.now = until
    assert timer_firing.fire_due(at=clock.now) == 1
    grant = grant_of(grant.id)
    assert grant.status == GrantStatus.EXPIRED and case_of(grant).status == "completed"
    assert case_of(grant).outcome == "approved"
    assert not readable("applicant2", achievement_id, until - ONE_SECOND)    # expired: not even inside the period
    events = [e.type for e in trail.events_of(case.id)]
    for kind in ("requested", "granted", "expired"):
        assert f"achievement_sharing_{kind}" in events
    assert len(told("applicant2")) == 2
    assert replay.reexecute(user("auditor"), case_of(grant)).ok        # the auditor's re-execution agrees


def test_a_refused_request_ends_refused_and_may_be_asked_again(app):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    act("applicant", case_of(grant), {"decision": "reject", "opinion": "涉及技术秘密，暂不共享。"})
    grant = grant_of(grant.id)
    assert (grant.status, grant.decision_note, grant.valid_from) == (GrantStatus.REFUSED, "涉及技术秘密，暂不共享。", None)
    assert (case_of(grant).status, case_of(grant).outcome) == ("completed", "rejected")
    assert not readable("applicant2", achievement_id, grant.decided_at)
    [note] = told("applicant2")
    assert "涉及技术秘密" in note.message
    again = request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    assert case_of(again).business_key.endswith("-S2") and again.status == GrantStatus.REQUESTED


def test_an_unanswered_request_ends_refused_at_its_deadline(app, clock):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    [row] = open_rows(case_of(grant), "contributor_consent")
    assert row.due_at - clock.now >= timedelta(days=5)                  # five working days
    [job] = pending_jobs("task_due", case_of(grant))
    assert job.policy == {"action": "auto_reject"}
    timer_firing.fire_due(at=row.due_at - ONE_SECOND)
    assert grant_of(grant.id).status == GrantStatus.REQUESTED
    timer_firing.fire_due(at=row.due_at)
    grant = grant_of(grant.id)
    assert (grant.status, grant.decision_note) == (GrantStatus.REFUSED, sharing.TIMED_OUT_NOTE)
    assert case_of(grant).outcome == "rejected" and open_rows(case_of(grant)) == []
    assert len(told("applicant2")) == 1
    assert replay.reexecute(user("auditor"), case_of(grant)).ok


def test_a_second_request_while_one_is_open_or_in_force_is_a_conflict(app):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    with pytest.raises(Conflict) as refused:
        request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    assert refused.value.status == 409
    act("applicant", case_of(grant), {"decision": "approve", "opinion": "同意。"})
    with pytest.raises(Conflict):
        request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    assert len(grants_of(achievement_id)) == 1
    other = request_sharing(user("applicant3"), achievement_id, PURPOSE, 10)      # someone else may ask
    assert other.status == GrantStatus.REQUESTED


@pytest.mark.parametrize("who", ["applicant", "leader"])
def test_the_contributor_side_may_not_request_its_own(app, who):
    _consortium, achievement_id = directed_achievement()
    with pytest.raises(Forbidden):
        request_sharing(user(who), achievement_id, PURPOSE, 10)
    assert grants_of(achievement_id) == []


def test_a_consortium_member_reads_a_consortium_achievement_without_asking(app):
    consortium = make_consortium(A, members=[(demo.UNITS[2][1], demo.credit_code_for(demo.UNITS[2][1]))])
    achievement_id = make_achievement(consortium, ShareLevel.CONSORTIUM)
    with pytest.raises(Conflict) as refused:      # applicant3's unit is a member and reads it already
        request_sharing(user("applicant3"), achievement_id, PURPOSE, 10)
    assert "consortium" in refused.value.message or "联合体" in refused.value.message


@pytest.mark.parametrize("level, error", [(ShareLevel.PUBLIC, Conflict), (ShareLevel.PAID, Conflict),
                                          (ShareLevel.CONSORTIUM, NotFound)])
def test_only_directed_achievements_are_asked_for(app, level, error):
    _consortium, achievement_id = directed_achievement(level)
    with pytest.raises(error):
        request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    assert grants_of(achievement_id) == []


def test_unpublished_delisted_and_missing_achievements_are_not_found(app):
    consortium, achievement_id = directed_achievement()
    waiting = make_achievement(consortium, ShareLevel.DIRECTED, publish=False)
    with command(user("manager")) as ctx:
        admission.delist(ctx, achievement_id, "专利权终止。")
    for target in (waiting, achievement_id, 999_999):
        with pytest.raises(NotFound):
            request_sharing(user("applicant2"), target, PURPOSE, 10)


@pytest.mark.parametrize("purpose, days, fields", [
    ("", 10, {"purpose"}), (PURPOSE, 0, {"days"}), (PURPOSE, 366, {"days"}), (PURPOSE, "abc", {"days"}),
    (PURPOSE, True, {"days"}), (PURPOSE, "²", {"days"}), ("x" * 2001, 1.5, {"purpose", "days"}),
    (None, None, {"purpose", "days"}),
])
def test_bad_input_names_the_field(app, purpose, days, fields):
    _consortium, achievement_id = directed_achievement()
    with pytest.raises(ValidationFailed) as refused:
        request_sharing(user("applicant2"), achievement_id, purpose, days)
    assert set(refused.value.errors) == fields


def test_anonymous_and_overseers_do_not_request(app):
    _consortium, achievement_id = directed_achievement()
    with pytest.raises(Forbidden):
        request_sharing(None, achievement_id, PURPOSE, 10)
    with pytest.raises(Conflict):                     # the managing body reads every achievement already
        request_sharing(user("manager"), achievement_id, PURPOSE, 10)


def test_only_the_contributor_side_consents(app):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    case = case_of(grant)
    for outsider in ("applicant2", "applicant3", "manager"):
        with pytest.raises(Forbidden):
            act(outsider, case, {"decision": "approve", "opinion": "同意。"})
    assert grant_of(grant.id).status == GrantStatus.REQUESTED
    with command(user("applicant3")) as ctx, pytest.raises(Forbidden):      # the command itself checks too
        sharing.grant(ctx, case, grant.id, 10, "同意。")
    with command(user("applicant")) as ctx, pytest.raises(Forbidden):       # only through the case's steps
        sharing.grant(ctx, None, grant.id, 10, "同意。")
    with command(user("manager")) as ctx, pytest.raises(Forbidden):
        sharing.refuse(ctx, None, grant.id, "不同意。")
    other = request_sharing(user("applicant3"), achievement_id, PURPOSE, 10)
    with command(user("applicant")) as ctx, pytest.raises(NotFound):        # a case names only its own grant
        sharing.grant(ctx, case_of(other), grant.id, 10, "同意。")
    assert grant_of(grant.id).status == GrantStatus.REQUESTED


def test_consent_after_delisting_is_refused_and_the_request_can_still_be_refused(app):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
    with command(user("manager")) as ctx:
        admission.delist(ctx, achievement_id, "专利权终止。")
    with pytest.raises(Conflict):
        act("applicant", case_of(grant), {"decision": "approve", "opinion": "同意。"})
    assert grant_of(grant.id).status == GrantStatus.REQUESTED
    act("applicant", case_of(grant), {"decision": "reject", "opinion": "成果已下架。"})
    assert grant_of(grant.id).status == GrantStatus.REFUSED


def test_two_requests_at_the_same_moment_make_one_grant(app):
    _consortium, achievement_id = directed_achievement()
    db.session.remove()
    start, results = threading.Barrier(2), []

    def ask():
        with app.app_context():
            try:
                start.wait()
                request_sharing(user("applicant2"), achievement_id, PURPOSE, 10)
                results.append("ok")
            except Conflict:
                results.append("409")
            except Exception as exc:   # anything else is the failure this test looks for
                results.append(repr(exc)[:300])
            finally:
                db.session.remove()
    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["409", "ok"], results
    assert len(grants_of(achievement_id)) == 1
