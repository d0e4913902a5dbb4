"""Rows written outside the unit of work (appended audit events and notifications, inbox rows
inserted by statement) still commit with their command or not at all."""
import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AuditEvent, HumanTask, Notification, TaskCandidate
from app.services import appends, audit, members, notifications, rows, runtime, tasks, users
from app.services.errors import Conflict
from app.services.transaction import command


def _count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_a_failure_after_rows_were_queued_and_inserted_leaves_none_of_them(app, user, open_task,
                                                                        application_form, monkeypatch):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    fill = open_task(instance)
    before = (_count(AuditEvent), _count(Notification), _count(HumanTask), _count(TaskCandidate))

    def fail_after_rows(*args, **kwargs):
        raise RuntimeError("the disk filled up at the very end")
    monkeypatch.setattr(runtime.timers, "sync_jobs", fail_after_rows)   # runs after the new rows exist
    with pytest.raises(RuntimeError):
        tasks.complete(applicant, fill.id, application_form("tianhe"))
    db.session.expire_all()
    assert (_count(AuditEvent), _count(Notification), _count(HumanTask), _count(TaskCandidate)) == before
    assert not appends.pending(db.session)
    assert open_task(instance).id == fill.id and all(r.ok for r in audit.verify_all())

    monkeypatch.undo()
    tasks.complete(applicant, fill.id, application_form("tianhe"))
    lead = open_task(instance)
    assert _count(TaskCandidate, TaskCandidate.task_id == lead.id) == 1
    assert _count(Notification, Notification.task_id == lead.id) >= 1


def test_appended_events_keep_their_order_and_are_visible_to_reads_in_the_same_transaction(app, user):
    actor = user("admin")
    with command():
        for n in range(5):
            audit.record("note", actor=actor, data={"n": n})
        notifications.notify([actor.id], "note", "five notes")
        assert [e.data["n"] for e in audit.events_of(None)[-5:]] == [0, 1, 2, 3, 4]   # written before the read
    rows = db.session.execute(select(AuditEvent).where(AuditEvent.type == "note")
                              .order_by(AuditEvent.id)).scalars().all()
    assert [e.data["n"] for e in rows] == [0, 1, 2, 3, 4] and [e.seq for e in rows] == sorted(e.seq for e in rows)
    assert notifications.unread_count(actor) == 1 and all(r.ok for r in audit.verify_all())


def _new_row(instance, **values):
    return rows.insert_persistent(db.session, HumanTask, instance_id=instance.id, spiff_task_id="x", element_id="e",
                                  name="步骤", process_key=instance.process_key, process_name="p",
                                  business_key=instance.business_key, **values)


def test_a_row_inserted_by_statement_is_persistent_and_its_changes_are_version_checked(app, user):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    with command():
        row = _new_row(instance, candidate_groups="city_office")
        assert row in db.session and not db.session.dirty and row.version == 1
        assert row.status == "open" and row.step_mode == "single" and row.created_at is not None   # defaults
        row.opinion = "改过一次"
    db.session.expire_all()
    stored = db.session.get(HumanTask, row.id)
    assert (stored.opinion, stored.version) == ("改过一次", 2)

    with pytest.raises(Conflict):          # changed under it in the same transaction's lifetime: no overwrite
        with command():
            row = _new_row(instance)
            db.session.connection().execute(update(HumanTask).where(HumanTask.id == row.id).values(version=7))
            row.opinion = "lost update"
    assert _count(HumanTask, HumanTask.opinion == "lost update") == 0


def test_a_rolled_back_inserted_row_leaves_the_session_and_the_next_one_gets_in(app, user):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    with pytest.raises(RuntimeError):
        with command():
            gone = _new_row(instance)
            raise RuntimeError("the step failed after the row was inserted")
    assert gone not in db.session and _count(HumanTask, HumanTask.spiff_task_id == "x") == 0
    with command():
        kept = _new_row(instance)              # on SQLite it may get the same id again
    assert kept in db.session and _count(HumanTask, HumanTask.spiff_task_id == "x") == 1
    assert kept.draft_data is None and db.session.execute(
        select(HumanTask.draft_data).where(HumanTask.id == kept.id)).scalar() is None   # SQL NULL


def test_queued_rows_and_cached_members_end_with_their_transaction(app, user):
    admin = user("admin")
    audit.record("note", actor=admin)                      # queued outside a command …
    assert appends.pending(db.session)
    db.session.rollback()                                  # … and the transaction goes away
    assert not appends.pending(db.session) and _count(AuditEvent, AuditEvent.type == "note") == 0
    before = members.of_groups(["city_office"])
    expert = user("expert1")
    with command():
        expert.groups.append(users.ensure_group("city_office", "市质量强市办"))
    assert members.of_groups(["city_office"]) != before     # read again after the commit
