"""API tokens: expiry, revocation, last use written at most once a minute, one query, throttled guessing."""
from datetime import timedelta

from sqlalchemy import select, update

from app.cli import issue_token_command
from app.extensions import db
from app.models import ApiToken
from app.models.identity import utcnow
from app.services.identity import users
from tests.support import StatementLog

from .conftest import assert_error_shape


def _get(client, token, ip="10.1.1.1"):
    return client.get("/api/v1/definitions", headers={"Authorization": f"Bearer {token}"},
                      environ_base={"REMOTE_ADDR": ip})


def test_a_token_expires_after_the_configured_days(app, client, user):
    app.config["API_TOKEN_DAYS"] = 30
    token = users.issue_token(user("city"))
    row = users.tokens_of(user("city"))[0]
    assert timedelta(days=29, hours=23) < row.expires_at - row.created_at <= timedelta(days=30)
    assert _get(client, token).status_code == 200
    db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert_error_shape(_get(client, token), 401)


def test_last_use_is_written_at_most_once_a_minute(client, user):
    token = users.issue_token(user("city"))
    with StatementLog() as first:
        assert _get(client, token).status_code == 200
    used = db.session.execute(select(ApiToken.last_used_at)).scalar_one()
    assert used is not None
    with StatementLog() as second:
        assert _get(client, token).status_code == 200
    assert len([s for s in first.starting("UPDATE") if "api_token" in s]) == 1
    assert [s for s in second.seen if "api_token" in s and not s.upper().startswith("SELECT")] == []
    # the token, its user, the user's groups and the address's recent failures: one query
    assert len([s for s in second.starting("SELECT") if "api_token" in s]) == 1
    db.session.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    assert _get(client, token).status_code == 200
    assert db.session.execute(select(ApiToken.last_used_at)).scalar_one() > used


def test_bad_tokens_lock_the_address_and_then_even_a_good_token_learns_nothing(app, client, user):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 5
    good = users.issue_token(user("city"))
    for n in range(5):
        assert_error_shape(_get(client, f"cq_guess{n}"), 401)
    assert_error_shape(_get(client, "cq_guess-more"), 429)
    assert_error_shape(_get(client, good), 429)
    assert _get(client, good, ip="10.1.1.2").status_code == 200


def test_the_profile_lists_tokens_and_revokes_one_with_a_post(client, login, user):
    login(client, "city")
    created = client.post("/profile", data={"label": "reporting script"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and 'id="api-token"' in html and "reporting script" in html
    row = users.tokens_of(user("city"))[0]
    assert f'id="revoke-token-{row.id}"' in html
    assert client.get(f"/profile/tokens/{row.id}/revoke").status_code == 405
    assert client.post(f"/profile/tokens/{row.id}/revoke").status_code == 302
    db.session.expire_all()
    assert users.tokens_of(user("city"))[0].revoked_at is not None
    assert f'id="revoke-token-{row.id}"' not in client.get("/profile").get_data(as_text=True)


def test_nobody_revokes_another_users_token(client, login, user):
    token = users.issue_token(user("city"))
    row = users.tokens_of(user("city"))[0]
    login(client, "applicant")
    assert client.post(f"/profile/tokens/{row.id}/revoke").status_code == 404
    assert _get(client, token).status_code == 200


def test_the_cli_issues_a_working_token(app, client):
    result = app.test_cli_runner().invoke(issue_token_command, ["auditor"])
    assert result.exit_code == 0, result.output
    assert _get(client, result.output.strip()).status_code == 200
