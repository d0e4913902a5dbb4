"""The Alembic migrations build exactly the schema the models describe, on both databases."""
import hashlib
from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, select, text

from app.extensions import db
from app.models import TimerJob
from app.services.identity import users
from tests.support import database_url, make_app


def _empty_database():
    """No tables, no Alembic version: the migrations start from nothing."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_migrations_match_the_models(db_kind, tmp_path):
    app = make_app(database_url(db_kind, tmp_path), tmp_path)
    with app.app_context():
        _empty_database()
        upgrade()
        assert "audit_event" in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
        _empty_database()
        db.engine.dispose()


def test_optional_json_is_sql_null_from_the_orm_and_after_the_migration(db_kind, tmp_path):
    app = make_app(database_url(db_kind, tmp_path), tmp_path)
    with app.app_context():
        _empty_database()
        upgrade(revision="e4f1a9c3b702")                 # before: the ORM stored None as JSON 'null'
        insert = text("INSERT INTO timer_job (kind, element_id, spiff_task_id, due_at, status, attempts, fired, "
                      "policy, last_error, created_at) VALUES ('task_due', :e, '', :t, 'pending', 0, 0, :p, '', :t)")
        now = datetime(2026, 11, 25, 12, 0)
        with db.engine.begin() as conn:
            conn.execute(insert, [{"e": "json_null", "t": now, "p": "null"}, {"e": "json_object", "t": now, "p": '{"a": 1}'},
                                  {"e": "sql_null", "t": now, "p": None}])
        upgrade()
        db.session.add(TimerJob(kind="task_due", element_id="orm_none", due_at=now, policy=None))
        db.session.commit()
        stored = dict(db.session.execute(select(TimerJob.element_id, TimerJob.policy.is_(None))).all())
        assert stored == {"json_null": True, "json_object": False, "sql_null": True, "orm_none": True}
        assert db.session.execute(select(TimerJob.policy).where(TimerJob.element_id == "json_object")) \
            .scalar_one() == {"a": 1}
        db.session.remove()
        _empty_database()
        db.engine.dispose()


def test_a_token_issued_before_the_token_table_keeps_working_after_the_migration(db_kind, tmp_path):
    app = make_app(database_url(db_kind, tmp_path), tmp_path)
    with app.app_context():
        _empty_database()
        upgrade(revision="e2f4c6a8b901")               # before: one token hash on the user row
        digest = hashlib.sha256(b"cq_old-token").hexdigest()
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO user_account (username, display_name, password_hash, api_token_hash, "
                              "active, created_at) VALUES ('old', 'Old', 'x', :h, :t, :n)"),
                         {"h": digest, "t": True, "n": datetime(2026, 1, 1)})
            conn.execute(text("INSERT INTO user_group_def (key, name, kind) VALUES ('auditors', 'A', 'role')"))
            conn.execute(text("INSERT INTO user_group (user_id, group_id) SELECT u.id, g.id FROM user_account u, "
                              "user_group_def g"))
        upgrade()
        # SQLite rebuilds user_account: the rows that point at it (cascading foreign keys) are kept
        assert db.session.execute(text("SELECT count(*) FROM user_group")).scalar() == 1
        assert "api_token_hash" not in {c["name"] for c in inspect(db.engine).get_columns("user_account")}
        assert users.user_for_token("cq_old-token").username == "old"
        assert users.user_for_session(users.user_for_token("cq_old-token").id, 0) is not None
        db.session.remove()
        _empty_database()
        db.engine.dispose()
