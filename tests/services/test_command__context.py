"""The command object: one transaction per command, a snapshot on SQLite, nothing left behind."""
import sqlite3
import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, User
from app.services.command import active, command
from app.services.notify import notifications


def test_a_command_does_not_see_what_another_connection_commits_meanwhile(app, db_kind):
    """On SQLite a command begins with BEGIN IMMEDIATE: its reads are one snapshot, and a
    writer on another connection waits for it instead of changing what it reads."""
    if db_kind != "sqlite":
        pytest.skip("PostgreSQL commands lock the rows they decide on; this is SQLite's snapshot")
    path = db.engine.url.database
    written = threading.Event()

    def rename_on_another_connection():
        other = sqlite3.connect(path, timeout=10)
        other.execute("UPDATE user_account SET display_name = 'renamed' WHERE username = 'city'")
        other.commit()
        other.close()
        written.set()

    with command():
        before = db.session.execute(select(User.display_name).where(User.username == "city")).scalar()
        writer = threading.Thread(target=rename_on_another_connection)
        writer.start()
        written.wait(0.5)                          # the writer waits for the command's lock
        again = db.session.execute(select(User.display_name).where(User.username == "city")).scalar()
        assert again == before and not written.is_set()
    writer.join(10)
    assert written.is_set()
    assert db.session.execute(select(User.display_name).where(User.username == "city")).scalar() == "renamed"


def test_queued_rows_are_written_at_the_end_and_dropped_by_a_rollback(app, user):
    city = user("city")
    with command(city) as ctx:
        notifications.notify(ctx, [city.id], "task", "hello")
        assert ctx.appends and db.session.execute(select(Notification)).first() is None
    assert [n.message for n in db.session.execute(select(Notification)).scalars()] == ["hello"]

    with pytest.raises(RuntimeError), command(city) as ctx:
        notifications.notify(ctx, [city.id], "task", "never")
        raise RuntimeError("the command fails after queuing")
    assert [n.message for n in db.session.execute(select(Notification)).scalars()] == ["hello"]


def test_commands_do_not_nest_and_helpers_know_whether_one_runs(app):
    with pytest.raises(RuntimeError):
        active()
    with command() as ctx:
        assert active() is ctx
        with pytest.raises(RuntimeError), command():
            pass
    with pytest.raises(RuntimeError):
        active()
