"""`flask backup` / `flask restore` on both databases, and verify-audit of the restored copy.

A restored copy verifies; a copy that lost its newest events together with the
anchors that recorded them (a backup older than an anchor, a dump cut short and
edited) verifies on its own, and fails against the anchors kept outside the
database (`flask export-anchors`)."""
import itertools
import os

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import AuditAnchor, AuditEvent
from app.services import backup
from app.services.audit import trail as audit
from app.services.command import command
from app.services.workflow import cases, tasks
from tests.support import make_app, postgres_available

_numbers = itertools.count()


@pytest.fixture
def fresh(db_kind, tmp_path):
    """fresh() -> the URL of a new, empty database (a file, or a throw-away PostgreSQL database)."""
    made = []

    def make():
        n = next(_numbers)
        if db_kind == "sqlite":
            return f"sqlite:///{tmp_path / f'restored-{n}.db'}"
        name = f"chainq_restore_{os.getpid()}_{n}"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        made.append(name)
        return make_url(postgres_available()).set(database=name).render_as_string(hide_password=False)
    yield make
    if made:
        _admin(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in made))


def _admin(*statements):
    engine = create_engine(make_url(postgres_available()).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _case(user, open_task, application_form):
    """A consortium application up to the unit leader's approval (events on its own chain)."""
    applicant = user("applicant")
    instance = cases.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(instance).id, application_form())
    return instance


def _approve(instance, user, open_task):
    task = open_task(instance)
    tasks.claim(user("leader"), task.id)
    tasks.complete(user("leader"), task.id, {"decision": "approve", "opinion": "同意"})


def _anchor(day):
    with command():
        audit.anchor_heads(day=day)


def _cli(url, tmp_path, *args):
    """Run a flask command against the database of `url` (an app of its own, as on another host)."""
    other = make_app(url, tmp_path)
    with other.app_context():
        try:
            return other.test_cli_runner().invoke(args=list(args))
        finally:
            db.session.remove()
            db.engine.dispose()


def _count(url, tmp_path, model):
    other = make_app(url, tmp_path)
    with other.app_context():
        try:
            return db.session.execute(select(func.count()).select_from(model)).scalar_one()
        finally:
            db.session.remove()
            db.engine.dispose()


def _source(app):
    return app.config["SQLALCHEMY_DATABASE_URI"]


def test_backup_then_restore_into_a_fresh_database_verifies(app, tmp_path, fresh, user, open_task,
                                                           application_form):
    instance = _case(user, open_task, application_form)
    _anchor("2024-01-01")
    _approve(instance, user, open_task)
    events = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    dump = tmp_path / "chainq.backup"

    result = app.test_cli_runner().invoke(args=["backup", "--out", str(dump)])
    assert result.exit_code == 0, result.output
    assert dump.stat().st_size > 0

    target = fresh()
    result = _cli(target, tmp_path, "restore", str(dump))
    assert result.exit_code == 0, result.output
    assert "0 broken" in result.output and "1 daily anchor(s), all hold" in result.output
    assert _count(target, tmp_path, AuditEvent) == events
    result = _cli(target, tmp_path, "verify-audit")
    assert result.exit_code == 0, result.output


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    dump = tmp_path / "taken.backup"
    dump.write_bytes(b"an earlier backup")
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(dump)])
    assert result.exit_code != 0 and "exists" in result.output
    assert dump.read_bytes() == b"an earlier backup"


def test_restore_refuses_a_database_that_holds_tables_unless_forced(app, tmp_path, fresh):
    dump = tmp_path / "chainq.backup"
    backup.backup(_source(app), dump)
    target = fresh()
    assert _cli(target, tmp_path, "restore", str(dump)).exit_code == 0

    again = _cli(target, tmp_path, "restore", str(dump))
    assert again.exit_code != 0 and "not empty" in again.output and "--force" in again.output

    forced = _cli(target, tmp_path, "restore", "--force", str(dump))
    assert forced.exit_code == 0, forced.output
    assert "0 broken" in forced.output


def test_a_backup_older_than_a_kept_anchor_is_detected(app, tmp_path, fresh, user, open_task, application_form):
    instance = _case(user, open_task, application_form)
    _anchor("2024-01-01")
    old = tmp_path / "old.backup"
    backup.backup(_source(app), old)
    _approve(instance, user, open_task)      # after the backup ...
    _anchor("2024-01-02")                    # ... and anchored
    kept = tmp_path / "anchors.json"
    assert app.test_cli_runner().invoke(args=["export-anchors", "--out", str(kept)]).exit_code == 0

    target = fresh()
    # on its own the old copy is consistent: its chains and its one anchor hold
    alone = _cli(target, tmp_path, "restore", str(old))
    assert alone.exit_code == 0, alone.output
    # against the kept anchors, the events anchored on the 2nd are missing
    result = _cli(target, tmp_path, "verify-audit", "--anchors", str(kept))
    assert result.exit_code == 1
    head = audit.head_of(audit.chain_of(instance.id))
    assert (f"BROKEN against the kept anchors, 2024-01-02: event #{head.seq} of instance:{instance.id}, "
            f"anchored on 2024-01-02, is gone") in result.output


def test_a_dump_cut_short_and_edited_is_detected_against_the_kept_anchors(app, tmp_path, fresh, user, open_task,
                                                                         application_form):
    instance = _case(user, open_task, application_form)
    _approve(instance, user, open_task)
    _anchor("2024-01-01")
    kept = tmp_path / "anchors.json"
    assert app.test_cli_runner().invoke(args=["export-anchors", "--out", str(kept)]).exit_code == 0
    honest = tmp_path / "honest.backup"
    backup.backup(_source(app), honest)

    # someone restores the dump elsewhere, drops the case's newest events and the anchor, dumps it again
    scratch = fresh()
    backup.restore(scratch, honest)
    engine = create_engine(scratch)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE chain = :c AND seq > 2"), {"c": audit.chain_of(instance.id)})
        conn.execute(text("DELETE FROM audit_anchor"))
    engine.dispose()
    tampered = tmp_path / "tampered.backup"
    backup.backup(scratch, tampered)

    target = fresh()
    alone = _cli(target, tmp_path, "restore", str(tampered))
    assert alone.exit_code == 0, alone.output           # a shortened chain is still a chain
    result = _cli(target, tmp_path, "restore", "--force", "--anchors", str(kept), str(tampered))
    assert result.exit_code == 1
    assert f"of instance:{instance.id}, anchored on 2024-01-01, is gone" in result.output
    assert _count(target, tmp_path, AuditAnchor) == 0


def test_an_edited_kept_anchor_file_is_refused(app, tmp_path, user, open_task, application_form):
    _case(user, open_task, application_form)
    _anchor("2024-01-01")
    records = audit.anchors_as_records()
    records[0]["heads"] = {chain: [1, head[1]] for chain, head in records[0]["heads"].items()}
    report = audit.verify_kept_anchors(records)
    assert not report.ok and "altered" in report.reason
    assert audit.verify_kept_anchors(audit.anchors_as_records()).ok
