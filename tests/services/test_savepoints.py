"""A savepoint (Session.begin_nested) means the same for the work kept beside the unit of work
(rows written by prepared statements, queued appends, carried audit heads, mail) as for the
ORM's own: a rolled-back savepoint leaves nothing of itself, a released one keeps everything."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Notification
from app.services import audit, mailer, rows, runtime, savepoints
from app.services.transaction import command


def _events(instance_id):
    return db.session.execute(select(AuditEvent.seq, AuditEvent.type).where(
        AuditEvent.chain == audit.chain_of(instance_id)).order_by(AuditEvent.seq)).all()


def _notifications(message):
    return db.session.execute(select(func.count()).select_from(Notification)
                              .where(Notification.message == message)).scalar_one()


def test_a_rolled_back_savepoint_leaves_nothing_of_what_it_wrote_beside_the_unit_of_work(app, user, open_task):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    task, instance_id = open_task(instance), instance.id
    task_id, version, before = task.id, task.version, _events(instance_id)
    with command():
        kept = rows.insert_persistent(db.session, Notification, user_id=applicant.id, kind="test",
                                      message="保存点之前的通知")
        savepoint = db.session.begin_nested()
        task.opinion = "保存点里的修改"
        db.session.flush()                                   # written by a prepared UPDATE: version + 1
        assert task.version == version + 1
        inserted = rows.insert_persistent(db.session, Notification, user_id=applicant.id, kind="test",
                                          message="保存点里的通知")
        audit.record("test_event", actor=applicant, instance_id=instance_id)
        mailer.queue([applicant.id], "保存点里的邮件")
        savepoint.rollback()
        assert inserted not in db.session                     # its row is gone: so is the object
        assert kept in db.session                             # made before the savepoint: stays
        assert (task.opinion, task.version) == ("", version)  # the database's values again, not the savepoint's
        assert savepoints.items(db.session, mailer._KEY) == []
        task.opinion = "保存点之后的修改"                     # the version check still matches the row
        audit.record("test_event_after", actor=applicant, instance_id=instance_id)
    db.session.remove()
    stored = db.session.get(HumanTask, task_id)
    assert (stored.opinion, stored.version) == ("保存点之后的修改", version + 1)
    assert _notifications("保存点里的通知") == 0 and _notifications("保存点之前的通知") == 1
    assert _events(instance_id) == before + [(before[-1][0] + 1, "test_event_after")]
    assert audit.verify_chain(audit.chain_of(instance_id)).ok


def test_a_released_savepoint_keeps_its_work_until_the_transaction_ends(app, user, open_task):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    task, instance_id = open_task(instance), instance.id
    before = _events(instance_id)
    with command():
        with db.session.begin_nested():
            task.opinion = "释放的保存点"
            rows.insert_persistent(db.session, Notification, user_id=applicant.id, kind="test", message="释放")
            audit.record("test_event", actor=applicant, instance_id=instance_id)
        audit.record("test_event_after", actor=applicant, instance_id=instance_id)
    db.session.remove()
    assert db.session.get(HumanTask, task.id).opinion == "释放的保存点"
    assert _notifications("释放") == 1
    assert [t for _seq, t in _events(instance_id)[len(before):]] == ["test_event", "test_event_after"]
    assert audit.verify_chain(audit.chain_of(instance_id)).ok


def test_an_inner_savepoint_released_into_one_that_rolls_back_is_undone_with_it(app, user, open_task):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    task, instance_id = open_task(instance), instance.id
    version, before = task.version, _events(instance_id)
    with command():
        outer = db.session.begin_nested()
        with db.session.begin_nested():
            task.opinion = "内层"
            inserted = rows.insert_persistent(db.session, Notification, user_id=applicant.id, kind="test",
                                              message="内层")
            audit.record("test_event", actor=applicant, instance_id=instance_id)
        outer.rollback()
        assert inserted not in db.session and (task.opinion, task.version) == ("", version)
    db.session.remove()
    assert _notifications("内层") == 0 and _events(instance_id) == before
    assert db.session.get(HumanTask, task.id).version == version


def test_the_whole_transaction_rolled_back_from_inside_a_savepoint_leaves_nothing(app, user, open_task):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    task, instance_id = open_task(instance), instance.id
    task_id, version, before = task.id, task.version, _events(instance_id)
    try:
        with command():
            rows.insert_persistent(db.session, Notification, user_id=applicant.id, kind="test", message="外层")
            db.session.begin_nested()
            task.opinion = "整体回滚"
            inserted = rows.insert_persistent(db.session, Notification, user_id=applicant.id, kind="test",
                                              message="外层")
            audit.record("test_event", actor=applicant, instance_id=instance_id)
            db.session.flush()
            raise RuntimeError("injected")
    except RuntimeError:
        pass
    assert inserted not in db.session
    db.session.remove()
    assert _notifications("外层") == 0 and _events(instance_id) == before
    assert db.session.get(HumanTask, task_id).version == version


def test_work_queued_before_a_savepoint_survives_its_rollback(app, user):
    # Events queued before the savepoint keep their place in the chain; those written inside
    # it (a released inner savepoint writes the queue) go back in the queue when it rolls back.
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    instance_id, before = instance.id, _events(instance.id)
    with command():
        audit.record("before_savepoint", actor=applicant, instance_id=instance_id)
        savepoint = db.session.begin_nested()
        savepoint.rollback()
        audit.record("after_first", actor=applicant, instance_id=instance_id)
        outer = db.session.begin_nested()
        with db.session.begin_nested():
            audit.record("inside", actor=applicant, instance_id=instance_id)
        outer.rollback()
        audit.record("after_second", actor=applicant, instance_id=instance_id)
    types = [t for _seq, t in _events(instance_id)[len(before):]]
    assert types == ["before_savepoint", "after_first", "after_second"]
    assert audit.verify_chain(audit.chain_of(instance_id)).ok


def test_after_a_failed_flush_inside_a_savepoint_no_prepared_statement_runs(app, user):
    from datetime import datetime, timezone
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError, PendingRollbackError
    from app.models import AuditAnchor
    from app.services import statements
    applicant = user("applicant")
    note = insert(Notification).returning(Notification.id)
    values = {"user_id": applicant.id, "kind": "test", "instance_id": None, "task_id": None,
              "message": "失效的保存点之后", "created_at": datetime.now(timezone.utc), "read_at": None}
    anchor = dict(day="2026-11-29", heads={}, prev_hash="0" * 64, hash="1" * 64)
    with command():
        db.session.add(AuditAnchor(**anchor))
    db.session.remove()
    db.session.connection()
    savepoint = db.session.begin_nested()
    statements.first_row(db.session, note, {**values, "message": "保存点里"})
    db.session.add(AuditAnchor(**anchor))                  # the day is unique: the flush fails
    with pytest.raises(IntegrityError):
        db.session.flush()
    with pytest.raises(PendingRollbackError):
        statements.first_row(db.session, note, values)    # as the ORM refuses, so do the statements
    savepoint.rollback()
    statements.first_row(db.session, note, values)        # after the rollback, work goes on
    db.session.commit()
    assert _notifications("失效的保存点之后") == 1 and _notifications("保存点里") == 0


def test_an_event_waiting_for_the_next_is_dropped_with_its_savepoint_and_written_at_commit(app, user):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    instance_id, before = instance.id, _events(instance.id)
    with command():
        savepoint = db.session.begin_nested()
        audit.record_after_next("dropped", actor=applicant, instance_id=instance_id)
        savepoint.rollback()
        audit.record_after_next("follows", actor=applicant, instance_id=instance_id)
        audit.record("leads", actor=applicant, instance_id=instance_id)
        audit.record_after_next("written_at_commit", actor=applicant, instance_id=instance_id)
    assert [t for _seq, t in _events(instance_id)[len(before):]] == ["leads", "follows", "written_at_commit"]
    assert audit.verify_chain(audit.chain_of(instance_id)).ok
