"""`flask create-user`: whoever ran it knows the password, so the account must change it at its
first login (as one an administrator creates), enforced unless in demo mode; `--no-force-change`
leaves a scripted setup's accounts with the password they were given."""
from sqlalchemy import select

from app.cli import create_user_command
from app.extensions import db
from app.models import AuditEvent, Group
from app.services.identity import users

PASSWORD = "Ch4in-q-setup"


def create(app, *extra):
    result = app.test_cli_runner().invoke(create_user_command, ["carol", "王工", "--password", PASSWORD,
                                                                "--group", "applicants", *extra])
    assert result.exit_code == 0, result.output
    return result, users.authenticate("carol", PASSWORD)


def api_answer(client, user):
    token = users.issue_token(user)
    return client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_created_user_must_change_the_password_unless_in_demo_mode(app, client):
    result, carol = create(app)
    assert "carol created" in result.output
    assert carol.must_change_password and carol.group_keys == {"applicants"}
    event = db.session.execute(select(AuditEvent).where(AuditEvent.type == "user_created")
                               .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.data["user"] == "carol" and event.data["must_change_password"] is True

    app.config["FORCE_PASSWORD_CHANGE"] = True         # outside demo mode
    assert users.must_change_password(carol) and api_answer(client, carol) == 403
    app.config["FORCE_PASSWORD_CHANGE"] = False        # demo mode's setting (CHAINQ_DEMO=1)
    assert not users.must_change_password(carol) and api_answer(client, carol) == 200


def test_no_force_change_for_scripted_setups(app, client):
    result, carol = create(app, "--no-force-change")
    assert "no password change required" in result.output and not carol.must_change_password
    app.config["FORCE_PASSWORD_CHANGE"] = True
    assert not users.must_change_password(carol) and api_answer(client, carol) == 200


def test_the_option_is_documented_in_the_help(app):
    result = app.test_cli_runner().invoke(create_user_command, ["--help"])
    assert "--no-force-change" in result.output and "--force-change" in result.output


def test_a_taken_name_an_unknown_group_or_unit_and_a_weak_password_are_refused_naming_each(app):
    runner = app.test_cli_runner()
    events = db.session.execute(select(AuditEvent).where(AuditEvent.type == "user_created")).scalars().all()
    for args, field_name in ((["applicant", "重名", "--password", PASSWORD], "username"),
                             (["dave", "王工", "--password", PASSWORD, "--group", "no_such_group"], "groups"),
                             (["dave", "王工", "--password", PASSWORD, "--unit", "no_such_unit"], "unit"),
                             (["dave", "王工", "--password", "short"], "password"),
                             (["dave", "王工", "--password", PASSWORD, "--email", "not-an-address"], "email")):
        result = runner.invoke(create_user_command, args)
        assert result.exit_code == 1 and f"  {field_name}: " in result.output, (args, result.output)
    assert users.authenticate("dave", PASSWORD) is None
    assert db.session.execute(select(AuditEvent).where(AuditEvent.type == "user_created")).scalars().all() == events


def test_naming_a_group_leaves_the_group_as_it_was(app):
    before = {g.key: g.name for g in db.session.execute(select(Group)).scalars()}
    create(app)
    db.session.expire_all()
    assert {g.key: g.name for g in db.session.execute(select(Group)).scalars()} == before
