"""Prepared statements on the command's DBAPI cursor (app/services/statements.py) behave as
SQLAlchemy's execution would: the dialect's SQL and types, its exception classes, the engine's
statement listeners, and the command's transaction."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, delete, event, func, insert, select
from sqlalchemy.exc import IntegrityError, PendingRollbackError

from app.extensions import db
from app.models import AuditAnchor, HumanTask, Notification, TaskCandidate
from app.services import runtime, statements
from app.services.errors import Conflict
from app.services.transaction import command

_NOTE = select(Notification.id, Notification.created_at, Notification.message) \
    .where(Notification.id == bindparam("id"))
_ADD_NOTE = insert(Notification).returning(Notification.id)
_ANCHOR = insert(AuditAnchor)


def test_values_go_in_and_come_out_through_the_column_types(app, user):
    at = datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    with command():
        [new_id] = statements.first_row(db.session, _ADD_NOTE, {
            "user_id": user("city").id, "kind": "note", "instance_id": None, "task_id": None,
            "message": "中文消息", "created_at": at, "read_at": None})
    row = statements.first_row(db.session, _NOTE, {"id": new_id})
    assert row == (new_id, at, "中文消息") and row[1].tzinfo is not None     # UTCDateTime both ways
    assert db.session.get(Notification, new_id).created_at == at               # what the ORM reads back
    assert statements.first_row(db.session, _NOTE, {"id": new_id + 1000}) is None


def test_a_database_error_is_sqlalchemys_so_a_command_reports_a_conflict(app):
    row = {"day": "2026-11-25", "heads": {}, "prev_hash": "0" * 64, "hash": "1" * 64,
           "created_at": datetime.now(timezone.utc)}
    with command():
        statements.execute(db.session, _ANCHOR, row)
    with pytest.raises(Conflict):                              # the day is unique
        with command():
            statements.execute(db.session, _ANCHOR, row)
    assert db.session.execute(select(func.count()).select_from(AuditAnchor)).scalar() == 1


def test_statements_run_in_the_commands_transaction_and_the_engines_listeners_see_them(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    seen = []

    def grab(_conn, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        with pytest.raises(RuntimeError):
            with command():
                statements.execute_many(db.session, insert(TaskCandidate), [
                    {"task_id": task.id, "group_key": f"g{n}", "user_id": None,
                     "task_created_at": task.created_at} for n in range(3)])
                assert statements.execute(db.session, delete(TaskCandidate).where(
                    TaskCandidate.group_key == bindparam("key")), {"key": "g0"}) == 1
                raise RuntimeError("the command fails after its statements ran")
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    assert any(s.startswith("INSERT INTO task_candidate") for s in seen)
    assert any(s.startswith("DELETE FROM task_candidate") for s in seen)
    assert db.session.execute(select(func.count()).select_from(TaskCandidate)
                              .where(TaskCandidate.group_key.like("g%"))).scalar() == 0     # rolled back


def test_only_plain_statements_are_prepared(app):
    with pytest.raises(ValueError):
        statements.all_rows(db.session, select(HumanTask.id).where(
            HumanTask.id.in_(bindparam("ids", expanding=True))), {"ids": [1, 2]})
    with pytest.raises(ValueError):                  # a column left to a default is not filled in here
        statements.execute(db.session, insert(Notification), {"user_id": 1, "kind": "k", "message": "m"})


def test_after_a_failed_write_the_transaction_can_only_be_rolled_back(app, user):
    # A caller that catches the error and commits anyway must not commit the writes before it.
    note = {"user_id": user("city").id, "kind": "note", "instance_id": None, "task_id": None,
            "message": "失败之前写的", "created_at": datetime.now(timezone.utc), "read_at": None}
    anchor = {"day": "2026-11-26", "heads": {}, "prev_hash": "0" * 64, "hash": "1" * 64,
              "created_at": datetime.now(timezone.utc)}
    with command():
        statements.execute(db.session, _ANCHOR, anchor)
    statements.first_row(db.session, _ADD_NOTE, note)            # written, not yet committed
    with pytest.raises(IntegrityError):
        statements.execute(db.session, _ANCHOR, anchor)          # the day is unique
    with pytest.raises(PendingRollbackError):
        statements.first_row(db.session, _NOTE, {"id": 1})
    with pytest.raises(PendingRollbackError):
        db.session.commit()
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Notification)
                              .where(Notification.message == "失败之前写的")).scalar_one() == 0
    statements.first_row(db.session, _ADD_NOTE, note)            # a new transaction works again
    db.session.commit()


def test_a_failure_inside_a_savepoint_is_undone_with_it(app, user):
    anchor = {"day": "2026-11-27", "heads": {}, "prev_hash": "0" * 64, "hash": "1" * 64,
              "created_at": datetime.now(timezone.utc)}
    with command():
        statements.execute(db.session, _ANCHOR, anchor)
    with command():
        savepoint = db.session.begin_nested()
        with pytest.raises(IntegrityError):
            statements.execute(db.session, _ANCHOR, anchor)
        savepoint.rollback()
        statements.execute(db.session, _ANCHOR, {**anchor, "day": "2026-11-28"})
    assert db.session.execute(select(func.count()).select_from(AuditAnchor)).scalar_one() == 2
