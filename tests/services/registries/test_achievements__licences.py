"""Licence agreements (standard 5.6.2-5.6.3, App. H, bpmn/licence_agreement.bpmn): the case from the
application to in force and expiry under the scheduler's clock, the conflict rule, the parties'
confirmations of the same text, who may do what, revenue and the contributor's priority."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Achievement, AuditEvent, LicenceAgreement, LicenceConfirmation, ProcessInstance, TimerJob
from app.models.states import InstanceStatus, LicenceStatus, ShareLevel
from app.services.audit import replay, trail
from app.services.command import command
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.registries.achievements import (
    access,
    licence_conflicts,
    licence_queries,
    licence_requests,
    licence_terms,
    licences,
)
from app.services.registries.achievements.sharing_priority import has_sharing_priority
from app.services.workflow import tasks, timer_firing
from tests.achievement_support import make_achievement
from tests.licence_support import apply, case_of, later, licence, paid_achievement, step, terms, to_in_force
from tests.problem_support import A, make_consortium, open_rows, user

ONE_SECOND = timedelta(seconds=1)


def events(row, kind):
    return db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == row.instance_id, AuditEvent.type == kind).order_by(AuditEvent.seq)).scalars().all()


def test_the_case_runs_from_application_to_in_force_and_expires_at_the_end_of_its_term(app):
    achievement_id = paid_achievement()
    applied = apply(achievement_id)
    assert applied.status == LicenceStatus.APPLIED and applied.number.endswith("-L1")
    assert (applied.licensor_name, applied.licensee_name) == ("广州智能装备集团有限公司", user("applicant2").unit.name)
    assert applied.licensee_credit_code == user("applicant2").unit.credit_code
    assert case_of(applied).title.startswith(applied.number)
    [review] = open_rows(case_of(applied), "contributor_review")
    assert review.due_at is not None                                 # a deadline in working days
    row = to_in_force(applied.id)
    assert row.status == LicenceStatus.IN_FORCE and row.registered_at is not None
    confirmations = licences.confirmations(db.session, row.id)
    assert {(c.party, c.user.username) for c in confirmations} == {("licensee", "applicant2"), ("licensor", "applicant")}
    assert {c.text_sha256 for c in confirmations} == {row.text_sha256, licence_terms.text_hash(row)}
    chained = events(row, "licence_confirmed")
    assert [e.data["party"] for e in chained] == ["licensee", "licensor"]
    assert {e.data["text_sha256"] for e in chained} == {row.text_sha256}
    now = row.registered_at
    assert access.may_read(db.session, user("applicant2"), achievement_id, now)
    assert not access.may_read(db.session, user("applicant3"), achievement_id, now)
    [job] = db.session.execute(select(TimerJob).where(TimerJob.instance_id == row.instance_id,
                                                      TimerJob.status == "pending")).scalars().all()
    assert job.due_at == licences.expires_at(row)
    timer_firing.fire_due(at=job.due_at - ONE_SECOND)
    assert licence(row.id).status == LicenceStatus.IN_FORCE
    assert access.may_read(db.session, user("applicant2"), achievement_id, job.due_at - ONE_SECOND)
    timer_firing.fire_due(at=job.due_at)
    row = licence(row.id)
    assert row.status == LicenceStatus.EXPIRED and case_of(row).status == InstanceStatus.COMPLETED
    assert not access.may_read(db.session, user("applicant2"), achievement_id, job.due_at)
    moves = [(e.data["from"], e.data["to"]) for e in events(row, "licence_status_changed")]
    assert moves == [("applied", "accepted"), ("accepted", "in_force"), ("in_force", "expired")]
    assert trail.verify_chain(trail.chain_of(row.instance_id)).ok
    assert replay.reexecute(user("auditor"), case_of(row)).ok


def test_an_overlapping_exclusive_licence_is_refused_naming_the_agreement_it_conflicts_with(app):
    achievement_id = paid_achievement()
    first = apply(achievement_id, licence_type="exclusive", territory="广东省、广西壮族自治区")
    with pytest.raises(Conflict) as refused:                   # an ordinary one inside the exclusive's scope
        apply(achievement_id, "applicant3", territory="广西壮族自治区", term_from=later(10).isoformat())
    assert first.number in refused.value.message and "广东省" in refused.value.message
    with pytest.raises(Conflict):                              # 全国 covers every territory
        apply(achievement_id, "applicant3", territory="全国")
    elsewhere = apply(achievement_id, "applicant3", territory="浙江省")      # no overlap: accepted
    later_on = apply(achievement_id, "applicant3", term_from=later(31).isoformat(), term_to=later(60).isoformat())
    other_field = apply(achievement_id, "applicant3", field_of_use="新能源汽车电驱")
    assert [elsewhere.number[-2:], later_on.number[-2:], other_field.number[-2:]] == ["L2", "L3", "L4"]
    with pytest.raises(Conflict) as sole:                      # a new sole licence is blocked by an ordinary one
        apply(achievement_id, "applicant3", licence_type="sole", territory="浙江省")
    assert elsewhere.number in sole.value.message
    assert db.session.execute(select(LicenceAgreement).where(
        LicenceAgreement.achievement_id == achievement_id)).scalars().all().__len__() == 4


def test_a_refused_or_expired_licence_blocks_nothing(app):
    achievement_id = paid_achievement()
    first = apply(achievement_id, licence_type="exclusive")
    step(first, "contributor_review", "applicant", {"decision": "reject", "opinion": "不予许可。"})
    assert licence(first.id).status == LicenceStatus.REFUSED and case_of(first).status == InstanceStatus.COMPLETED
    assert apply(achievement_id, "applicant3", licence_type="exclusive").status == LicenceStatus.APPLIED


def test_the_areas_overlap_by_normalised_items_and_the_everywhere_words():
    assert licence_conflicts.areas_overlap("广东省、 浙江省", "浙江省")
    assert licence_conflicts.areas_overlap("Guangdong; Zhejiang", "zhejiang")
    assert not licence_conflicts.areas_overlap("广东省", "广州市")
    assert licence_conflicts.areas_overlap("不限", "汽车")
    assert licence_conflicts.areas_overlap("", "汽车")


def test_the_contributor_returns_the_terms_and_the_licensee_revises_them(app):
    achievement_id = paid_achievement()
    applied = apply(achievement_id)
    step(applied, "contributor_review", "applicant", {"decision": "return", "opinion": "费用需调整。"})
    step(applied, "revise_terms", "applicant2", {**terms(fee_amount="80000.00"), "opinion": "已调整。"})
    row = licence(applied.id)
    assert (row.status, str(row.fee_amount)) == (LicenceStatus.APPLIED, "80000.00")
    assert open_rows(case_of(row), "contributor_review")
    assert [e.data["terms"]["fee_amount"] for e in events(row, "licence_revised")] == ["80000.00"]


def test_a_confirmation_of_another_text_is_refused_and_nothing_is_recorded(app):
    achievement_id = paid_achievement()
    applied = apply(achievement_id)
    step(applied, "contributor_review", "applicant", {"decision": "approve"})
    row = licence(applied.id)
    with pytest.raises(Conflict) as refused:
        licence_requests.confirm_licence(user("applicant2"), row.id, "0" * 64)
    assert row.text_sha256 in refused.value.message
    assert db.session.execute(select(LicenceConfirmation)).scalars().all() == []
    assert open_rows(case_of(row), "licensee_confirm")
    with pytest.raises(Conflict):                               # not the licensor's turn yet
        licence_requests.confirm_licence(user("applicant"), row.id, row.text_sha256)
    licence_requests.confirm_licence(user("applicant2"), row.id, row.text_sha256)
    with pytest.raises(Conflict):                               # the step's hash through the task form, too
        step(row, "licensor_confirm", "applicant", {"decision": "approve", "agreement_sha256": "a" * 64})
    assert [c.party for c in licences.confirmations(db.session, row.id)] == ["licensee"]


def test_who_may_apply_accept_confirm_and_register(app):
    achievement_id = paid_achievement()
    with pytest.raises(Forbidden):                              # the contributor's own achievement
        apply(achievement_id, "applicant")
    public_id = make_achievement(make_consortium(A), ShareLevel.PUBLIC, name="公开成果")
    with pytest.raises(Conflict):                               # not offered under a licence
        apply(public_id, "applicant2")
    with pytest.raises(ValidationFailed) as bad:
        apply(achievement_id, term_to=later(-400).isoformat())
    assert "term_to" in bad.value.errors
    applied = apply(achievement_id)
    [review] = open_rows(case_of(applied), "contributor_review")
    with pytest.raises(Forbidden):                              # only the contributor's side holds the step
        tasks.claim(user("applicant2"), review.id)
    with command(user("manager")) as ctx, pytest.raises(Forbidden):      # the library checks again
        licences.accept(ctx, case_of(applied), "")
    to_accept = licence(applied.id)
    step(to_accept, "contributor_review", "applicant", {"decision": "approve"})
    row = licence(applied.id)
    licence_requests.confirm_licence(user("applicant2"), row.id, row.text_sha256)
    licence_requests.confirm_licence(user("applicant"), row.id, row.text_sha256)
    with command(user("city")) as ctx, pytest.raises(Forbidden):
        licences.register(ctx, case_of(row), "")
    [register] = open_rows(case_of(row), "register_review")
    with pytest.raises(Forbidden):
        tasks.claim(user("applicant"), register.id)
    with pytest.raises(NotFound):                               # strangers do not see the licence
        licence_queries.visible_licence(user("applicant3"), row.id)


def test_registration_checks_the_conflicts_again(app):
    achievement_id = paid_achievement()
    first = to_in_force(apply(achievement_id, licence_type="exclusive").id)
    second = apply(achievement_id, "applicant3", licence_type="exclusive", territory="浙江省")
    step(second, "contributor_review", "applicant", {"decision": "approve"})
    row = licence(second.id)
    licence_requests.confirm_licence(user("applicant3"), row.id, row.text_sha256)
    licence_requests.confirm_licence(user("applicant"), row.id, row.text_sha256)
    with command(None):          # the first's scope widened meanwhile (as another process might have done)
        db.session.execute(update(LicenceAgreement).where(LicenceAgreement.id == first.id).values(territory="全国"))
    with pytest.raises(Conflict) as refused:
        step(row, "register_review", "manager", {"decision": "approve"})
    assert first.number in refused.value.message
    assert licence(row.id).status == LicenceStatus.ACCEPTED


def test_two_exclusive_applications_at_the_same_moment_give_one_licence_and_one_conflict(app):
    achievement_id = paid_achievement()
    applicants = [user("applicant2").id, user("applicant3").id]
    outcomes = []

    def go(user_id):
        with app.app_context():
            try:
                actor = db.session.get(type(user("admin")), user_id)
                outcomes.append(licence_requests.apply_for_licence(actor, achievement_id,
                                                                   terms(licence_type="exclusive")).number)
            except Conflict as exc:
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=go, args=(i,)) for i in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([o for o in outcomes if isinstance(o, str)]) == 1
    assert len([o for o in outcomes if isinstance(o, Conflict)]) == 1
    assert len(db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == "licence_agreement")).scalars().all()) == 1


def test_revenue_is_recorded_by_the_body_or_the_contributor_and_gives_the_priority(app):
    achievement_id = paid_achievement()
    code = user("applicant").unit.credit_code
    assert not has_sharing_priority(db.session, code)
    row = apply(achievement_id)
    with pytest.raises(Conflict):                               # not in force yet
        licence_requests.record_revenue(user("manager"), row.id, later(0).isoformat(), "100.00")
    row = to_in_force(row.id)
    assert has_sharing_priority(db.session, code)                # a licence in force as licensor
    assert not has_sharing_priority(db.session, user("applicant2").unit.credit_code)
    licence_requests.record_revenue(user("manager"), row.id, later(0).isoformat(), "30000.00", "首期款")
    licence_requests.record_revenue(user("applicant"), row.id, later(0).isoformat(), "20000.50")
    with pytest.raises(ValidationFailed) as ahead:               # money not received yet
        licence_requests.record_revenue(user("applicant"), row.id, later(1).isoformat(), "1.00")
    assert set(ahead.value.errors) == {"received_on"}
    with pytest.raises(Forbidden):
        licence_requests.record_revenue(user("applicant2"), row.id, later(0).isoformat(), "1.00")
    with pytest.raises(ValidationFailed) as bad:
        licence_requests.record_revenue(user("manager"), row.id, "yesterday", "0")
    assert set(bad.value.errors) == {"received_on", "amount"}
    view = licence_queries.licence_detail(user("applicant"), row.id)
    assert str(view.revenue_total) == "50000.50" and len(view.revenue) == 2 and view.may_record_revenue
    mine_as_licensee, _ = licence_queries.my_licences(user("applicant2"))
    _, mine_as_licensor = licence_queries.my_licences(user("applicant"))
    assert [r.id for r in mine_as_licensee] == [row.id] == [r.id for r in mine_as_licensor]


def test_a_contributor_silent_for_ten_working_days_refuses_by_the_deadline(app):
    applied = apply(paid_achievement())
    [review] = open_rows(case_of(applied), "contributor_review")
    [job] = db.session.execute(select(TimerJob).where(TimerJob.task_id == review.id,
                                                      TimerJob.status == "pending")).scalars().all()
    assert job.due_at == review.due_at and (review.due_at - applied.created_at) >= timedelta(days=10)
    timer_firing.fire_due(at=job.due_at - ONE_SECOND)
    assert licence(applied.id).status == LicenceStatus.APPLIED
    timer_firing.fire_due(at=job.due_at)
    assert licence(applied.id).status == LicenceStatus.REFUSED
    assert case_of(applied).status == InstanceStatus.COMPLETED


def test_the_apply_link_is_offered_to_whoever_may_apply(app):
    achievement = db.session.get(Achievement, paid_achievement())
    now = achievement.published_at
    assert licence_queries.may_apply(user("applicant2"), achievement, now)
    assert not licence_queries.may_apply(user("applicant"), achievement, now)       # its contributor
    assert not licence_queries.may_apply(None, achievement, now)
