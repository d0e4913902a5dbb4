"""Administrators' account commands: create, edit, deactivate/reactivate, reset a password; each
refused to anyone else, each with its audit event on the operations trail, the race of two
administrators deactivating the same account decided once."""
import threading
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask, User
from app.models.states import TaskStatus
from app.services import demo
from app.services.audit import search
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.identity import accounts, users
from app.services.workflow import cases, tasks
from app.services.workflow.approval import handover


def events(event_type):
    return db.session.execute(select(AuditEvent).where(AuditEvent.type == event_type)
                              .order_by(AuditEvent.id)).scalars().all()


def new_account(admin, username="zhang", **details):
    data = accounts.AccountInput(username=username, display_name=details.pop("display_name", "张工"),
                                 groups=details.pop("groups", ["experts"]), **details)
    return accounts.create_account(admin, data)


def test_an_admin_creates_an_account_with_a_generated_password_that_must_be_changed(app, user):
    created, password = new_account(user("admin"), unit="gz_auto_parts", district="panyu", email="z@example.cn")
    assert len(password) == accounts.GENERATED_LENGTH
    assert created.must_change_password and created.active
    assert created.unit.key == "gz_auto_parts" and created.group_keys == {"experts"}
    assert users.authenticate("zhang", password) is not None
    event = events("user_created")[-1]
    assert event.actor_id == user("admin").id and event.data["groups"] == ["experts"] and event.data["password_generated"]
    assert password not in str(event.data)
    assert "user_created" in search.ADMIN_EVENT_TYPES


def test_a_given_initial_password_follows_the_policy_and_each_bad_field_is_named(app, user):
    with pytest.raises(ValidationFailed) as refused:
        new_account(user("admin"), username="a b", display_name=" ", groups=["experts", "no_such_group"],
                    unit="nowhere", district="atlantis", email="not-mail", password="short")
    assert set(refused.value.errors) == {"username", "display_name", "groups", "unit", "district", "email", "password"}
    with pytest.raises(ValidationFailed) as same_as_name:
        new_account(user("admin"), username="wangwu1", password="WangWu1 ")
    assert same_as_name.value.errors["password"] == ["新密码不能与用户名相同。"]      # the UI speaks Chinese
    with pytest.raises(ValidationFailed) as taken:
        new_account(user("admin"), username="Admin")
    assert list(taken.value.errors) == ["username"]
    assert db.session.execute(select(User).where(User.username == "wangwu1")).first() is None


@pytest.mark.parametrize("command", [
    lambda actor, target: accounts.create_account(actor, accounts.AccountInput(username="x1", display_name="X")),
    lambda actor, target: accounts.update_account(actor, target.id, accounts.AccountInput(display_name="X")),
    lambda actor, target: accounts.deactivate(actor, target.id),
    lambda actor, target: accounts.reactivate(actor, target.id),
    lambda actor, target: accounts.reset_password(actor, target.id),
    lambda actor, target: accounts.list_users(actor, accounts.UserFilter()),
    lambda actor, target: accounts.open_tasks_of(actor, target.id),
])
def test_only_administrators_manage_accounts(app, user, command):
    with pytest.raises(Forbidden):
        command(user("city"), user("expert1"))
    assert events("user_deactivated") == [] and events("password_reset") == []


def test_editing_sets_unit_district_and_groups_and_records_what_changed(app, user):
    expert = user("expert1")
    accounts.update_account(user("admin"), expert.id, accounts.AccountInput(
        display_name="王教授（专家）", email="expert1@chainq.example", unit="gz_testing_institute", district="tianhe", groups=["experts", "city_office"]))
    assert user("expert1").group_keys == {"experts", "city_office"}
    changes = events("user_updated")[-1].data["changes"]
    assert changes["groups"] == [["experts"], ["city_office", "experts"]]
    assert changes["unit"] == [None, "gz_testing_institute"] and "display_name" not in changes
    with pytest.raises(ValidationFailed) as own:
        accounts.update_account(user("admin"), user("admin").id, accounts.AccountInput(display_name="我", groups=[]))
    assert "groups" in own.value.errors
    with pytest.raises(NotFound):
        accounts.update_account(user("admin"), 999999, accounts.AccountInput(display_name="X"))


def test_deactivating_ends_login_sessions_and_api_tokens(app, user):
    city = user("city")
    token = users.issue_token(city)
    generation = city.session_generation
    accounts.deactivate(user("admin"), city.id)
    city = user("city")
    assert not city.active and city.session_generation == generation + 1
    assert users.authenticate("city", demo.DEMO_PASSWORD) is None
    assert users.user_for_session(city.id, city.session_generation) is None
    assert users.user_for_token(token) is None
    assert events("user_deactivated")[-1].data == {"user": "city", "open_tasks": []}
    with pytest.raises(Conflict):
        accounts.deactivate(user("admin"), city.id)
    assert len(events("user_deactivated")) == 1
    accounts.reactivate(user("admin"), city.id)
    assert users.authenticate("city", demo.DEMO_PASSWORD) is not None
    assert len(events("user_reactivated")) == 1
    with pytest.raises(Forbidden):
        accounts.deactivate(user("admin"), user("admin").id)


def test_a_deactivated_approvers_open_task_is_handed_on_by_an_administrator(app, user, application_form, open_task):
    case = cases.start_instance(user("applicant"), "consortium_application")
    tasks.complete(user("applicant"), open_task(case).id, application_form("tianhe"))
    task = tasks.claim(user("leader"), open_task(case).id)
    accounts.deactivate(user("admin"), user("leader").id)
    assert events("user_deactivated")[-1].data["open_tasks"] == [task.id]
    assert [t.id for t in accounts.open_tasks_of(user("admin"), user("leader").id)] == [task.id]
    handover.transfer(user("admin"), task.id, "leader2")
    db.session.expire_all()
    moved = db.session.get(HumanTask, task.id)
    assert moved.status == TaskStatus.OPEN and moved.assignee.username == "leader2"
    assert accounts.open_tasks_of(user("admin"), user("leader").id) == []
    [moved_by_admin] = events("task_reassigned")           # an administrative operation: auditors see it
    assert moved_by_admin.instance_id == case.id and moved_by_admin.data["to"] == "leader2"
    assert [e.id for e in search.admin_operations(user("auditor")).items if e.type == "task_reassigned"] \
        == [moved_by_admin.id]


def test_a_password_reset_ends_sessions_and_forces_a_change(app, user):
    expert = user("expert2")
    generation = expert.session_generation
    password = accounts.reset_password(user("admin"), expert.id)
    expert = user("expert2")
    assert expert.must_change_password and expert.session_generation == generation + 1
    assert users.authenticate("expert2", password) is not None
    assert accounts.reset_password(user("admin"), expert.id, "Chosen-by-admin-1") is None
    with pytest.raises(ValidationFailed) as weak:
        accounts.reset_password(user("admin"), expert.id, "expert2")
    assert list(weak.value.errors) == ["password"]
    assert [e.data for e in events("password_reset")] == [
        {"user": "expert2", "password_generated": True}, {"user": "expert2", "password_generated": False}]
    app.config["FORCE_PASSWORD_CHANGE"] = True
    assert users.must_change_password(user("expert2"))
    users.change_password(user("expert2"), "Chosen-by-admin-1", "my-own-secret")
    assert not users.must_change_password(user("expert2"))
    assert user("expert2").password_changed_at is not None


def test_two_administrators_deactivating_at_once_change_the_account_once(app, user, monkeypatch):
    new_account(user("admin"), username="admin2", groups=["admins"], password="second-admin-pw")
    target_id = user("expert3").id
    db.session.remove()
    real = accounts.audit.record

    def slow(ctx, *args, **kwargs):        # the first administrator holds the account a moment
        time.sleep(0.5)
        return real(ctx, *args, **kwargs)
    monkeypatch.setattr(accounts.audit, "record", slow)
    results = {}

    def act(name, delay):
        time.sleep(delay)
        with app.app_context():
            actor = db.session.execute(select(User).where(User.username == name)).scalar_one()
            try:
                accounts.deactivate(actor, target_id)
                results[name] = "ok"
            except Exception as exc:   # the outcome this test looks at
                results[name] = type(exc).__name__
            finally:
                db.session.remove()
    threads = [threading.Thread(target=act, args=("admin", 0.0)), threading.Thread(target=act, args=("admin2", 0.2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["Conflict", "ok"], results
    assert len(events("user_deactivated")) == 1
    assert not db.session.get(User, target_id).active
