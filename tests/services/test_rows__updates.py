"""The case and inbox rows are read and written by prepared statements (app/services/rows.py),
with the ORM's results: only what changed, the version checked, the session clean afterwards."""
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import PendingRollbackError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import HumanTask, ProcessInstance, User
from app.services import rows, runtime, tasks, users
from app.services.errors import Conflict
from app.services.transaction import command
from tests.support import StatementLog


def test_a_change_is_one_version_checked_update_of_the_changed_columns_only(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task_id, version = open_task(instance).id, open_task(instance).version
    db.session.remove()
    with StatementLog() as sql, command():
        task = db.session.get(HumanTask, task_id)
        task.opinion = "已阅"
        task.name = task.name                      # assigned, not changed: not written
    [written] = sql.starting("UPDATE")
    assert "opinion" in written and " name" not in written.split("WHERE")[0] and "version" in written
    assert not db.session.dirty
    db.session.remove()
    stored = db.session.get(HumanTask, task_id)
    assert (stored.opinion, stored.version) == ("已阅", version + 1)


def test_an_assignment_that_changes_nothing_writes_nothing(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    version = task.version
    with StatementLog() as sql, command():
        task.opinion = task.opinion
    assert sql.starting("UPDATE") == [] and task.version == version and not db.session.dirty


def test_a_row_changed_by_someone_else_since_it_was_read_is_a_conflict_and_nothing_is_written(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task_id, instance_id = open_task(instance).id, instance.id
    with pytest.raises(Conflict):
        with command():
            db.session.get(HumanTask, task_id).opinion = "我的修改"
            db.session.connection().execute(update(HumanTask).where(HumanTask.id == task_id)
                                            .values(version=HumanTask.version + 1))   # another writer
            db.session.get(ProcessInstance, instance_id).title = "同一命令里的另一处修改"
    db.session.remove()
    assert db.session.get(HumanTask, task_id).opinion == ""
    assert db.session.get(ProcessInstance, instance_id).title != "同一命令里的另一处修改"


def test_rows_pointing_at_a_row_the_unit_of_work_has_yet_to_insert_are_left_to_it(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    with command():
        newcomer = User(username="newcomer", display_name="新人", password_hash="x")
        db.session.add(newcomer)
        db.session.flush()          # the ORM orders the new user before the row that points at it
        task.owner_id = newcomer.id
    db.session.remove()
    assert db.session.get(HumanTask, task.id).owner_id == db.session.execute(
        select(User.id).where(User.username == "newcomer")).scalar_one()
    with command():                 # a relationship set on the row: the ORM writes it, in its order
        other = users.ensure_user("newcomer2", "新人二", "pw", groups=())
        db.session.get(HumanTask, task.id).owner = other
    db.session.remove()
    assert db.session.get(HumanTask, task.id).owner.username == "newcomer2"


def test_loading_by_statement_keeps_the_sessions_own_changes_and_refreshes_what_a_commit_expired(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    statement = rows.select_rows(HumanTask).where(HumanTask.id == task.id)
    with command():
        task.opinion = "未保存的修改"
        [[same]] = rows.load(db.session, statement, {}, HumanTask)
        assert same is task and same.opinion == "未保存的修改"       # the session's object wins, as with a query
    db.session.connection().execute(update(HumanTask).where(HumanTask.id == task.id).values(opinion="别处改的"))
    db.session.commit()
    db.session.expire(task)
    [[again]] = rows.load(db.session, statement, {}, HumanTask)
    assert again is task and task.opinion == "别处改的"


def test_a_task_read_with_its_case_holds_it_without_another_query(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task_id, instance_id = open_task(instance).id, instance.id
    db.session.remove()
    with StatementLog() as sql, command():
        task = tasks._load(task_id, with_instance=True)
        assert task.instance.id == instance_id
    assert len(sql.starting("SELECT")) == 1


def test_a_change_to_an_expired_object_survives_loading_its_row_again(app, user, open_task):
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task = open_task(instance)
    statement = rows.select_rows(HumanTask).where(HumanTask.id == task.id)
    with command():
        db.session.expire(task)
        task.opinion = "过期后改的"            # assigned without being read first
        [[same]] = rows.load(db.session, statement, {}, HumanTask)
        assert same is task and task.opinion == "过期后改的"
    db.session.remove()
    assert db.session.get(HumanTask, task.id).opinion == "过期后改的"


def test_rows_written_before_a_lost_version_check_never_commit_without_the_rest(app, user, open_task):
    # The ORM leaves a transaction whose flush failed needing a rollback; so do the rows written here.
    instance = runtime.start_instance(user("applicant"), "consortium_application")
    task, instance_id = open_task(instance), instance.id
    title = instance.title
    db.session.commit()
    instance.title = "先写的修改"                     # the case is written first, then its task
    task.opinion = "后写的修改"
    db.session.connection().execute(update(HumanTask).where(HumanTask.id == task.id)
                                    .values(version=HumanTask.version + 1))   # another writer
    with pytest.raises(StaleDataError):
        db.session.flush()
    with pytest.raises(PendingRollbackError):
        db.session.commit()                            # a caller that swallowed the error commits
    db.session.rollback()
    db.session.remove()
    assert db.session.get(ProcessInstance, instance_id).title == title
