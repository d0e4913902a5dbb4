"""Loaded objects expire when the next transaction begins, not at commit
(app/services/transaction.py): a command's result is read without reloading it, and
later work still sees the database as it is."""
from sqlalchemy import create_engine, event, text

from app.extensions import db
from app.models import HumanTask
from app.services import runtime, tasks
from app.services.transaction import command


def _statements_while(block):
    seen = []

    def grab(_conn, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        block()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    return seen


def _another_connection_sets_the_opinion(task_id, opinion):
    engine = create_engine(db.engine.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE human_task SET opinion = :o, version = version + 1 WHERE id = :i"),
                     {"o": opinion, "i": task_id})
    engine.dispose()


def test_the_result_of_a_command_is_read_without_a_query(app, user, open_task):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    task_id = open_task(instance).id
    db.session.remove()
    applicant = user("applicant")
    started = runtime.start_instance(applicant, "consortium_application")
    assert _statements_while(lambda: (started.id, started.business_key, started.current_steps)) == []
    saved = tasks.save_draft(applicant, task_id, {"name": "草稿"})
    assert _statements_while(lambda: (saved.draft_data, saved.version, saved.instance.business_key)) == []


def test_the_next_transaction_sees_what_another_connection_committed(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    db.session.commit()
    _another_connection_sets_the_opinion(task.id, "别处写的")
    assert task.opinion == ""                                  # between transactions: as committed here
    db.session.execute(text("SELECT 1"))                       # a new transaction begins …
    assert task.opinion == "别处写的"                          # … and the object is read again

    _another_connection_sets_the_opinion(task.id, "又改了")
    db.session.commit()
    with command():                                            # a command begins before it loads anything
        assert db.session.get(HumanTask, task.id).opinion == "又改了"


def test_a_change_made_before_a_transaction_begins_is_kept(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    db.session.commit()
    task.opinion = "先改后提交"            # no transaction yet: beginning one must not throw it away
    db.session.commit()
    db.session.remove()
    assert db.session.get(HumanTask, task.id).opinion == "先改后提交"
