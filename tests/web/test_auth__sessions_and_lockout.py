"""Login sessions end on the server (logout, password change), and password guessing is throttled."""
from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEvent, LoginFailure
from app.models.identity import utcnow
from app.services import demo


def _cookie(client):
    return client.get_cookie("session").value


def _with_cookie(app, value):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_copied_before_logout_no_longer_works_after_it(app, browser):
    admin = browser("admin")
    copied = _cookie(admin)
    assert _with_cookie(app, copied).get("/admin/incidents").status_code == 200
    assert admin.post("/logout").status_code == 302
    stolen = _with_cookie(app, copied)
    response = stolen.get("/admin/incidents")
    assert response.status_code == 302 and "/login" in response.location
    assert stolen.get("/api/v1/tasks").status_code == 401


def test_a_cookie_without_the_session_generation_is_refused(app, browser, user):
    # what anyone who knew the key could sign before: {"user_id": <admin>}
    forged = app.test_client()
    with forged.session_transaction() as session:
        session["user_id"] = user("admin").id
    response = forged.get("/admin/incidents")
    assert response.status_code == 302 and "/login" in response.location


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, browser):
    here, elsewhere = browser("city"), browser("city")
    copied = _cookie(elsewhere)
    changed = here.post("/profile/password", data={"current_password": demo.DEMO_PASSWORD,
                                                   "new_password": "a-new-password"})
    assert changed.status_code == 302
    assert here.get("/tasks").status_code == 200
    assert elsewhere.get("/tasks").status_code == 302
    assert _with_cookie(app, copied).get("/tasks").status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "city", "password": demo.DEMO_PASSWORD}).status_code == 401
    assert fresh.post("/login", data={"username": "city", "password": "a-new-password"}).status_code == 302
    events = db.session.execute(select(AuditEvent.type).where(AuditEvent.type == "password_changed")).scalars()
    assert list(events) == ["password_changed"]


def test_a_wrong_current_password_or_a_short_new_one_changes_nothing(browser):
    client = browser("city")
    refused = client.post("/profile/password", data={"current_password": "wrong", "new_password": "short"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "The current password is wrong." in html and "at least 8 characters" in html
    assert client.get("/tasks").status_code == 200


def _fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = client.post("/login", data={"username": username, "password": "wrong"},
                               environ_base={"REMOTE_ADDR": ip})
        assert response.status_code == 401
    return response


def test_five_failures_lock_the_account_even_for_the_right_password(app, browser):
    client = browser(lang="en")
    _fail(client, "city", 5)
    locked = client.post("/login", data={"username": "city", "password": demo.DEMO_PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert locked.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in locked.get_data(as_text=True)
    # another account is not locked by it, from the same address either
    assert client.post("/login", data={"username": "city2", "password": demo.DEMO_PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 302
    events = db.session.execute(select(AuditEvent).where(AuditEvent.type == "login_locked")).scalars().all()
    assert [(e.chain, e.data["user"], e.data["ip"]) for e in events] == [("system", "city", "10.0.0.1")]


def test_the_lock_message_is_chinese_in_the_chinese_ui(browser):
    client = browser(lang="zh_CN")
    _fail(client, "city", 5)
    locked = client.post("/login", data={"username": "city", "password": demo.DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.get_data(as_text=True)


def test_the_lock_lifts_when_the_failures_leave_the_window(app, browser):
    client = browser(lang="en")
    _fail(client, "city", 5)
    db.session.execute(update(LoginFailure).values(at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert client.post("/login", data={"username": "city", "password": demo.DEMO_PASSWORD}).status_code == 302
    assert db.session.execute(select(LoginFailure).where(LoginFailure.username == "city")).first() is None


def test_unknown_names_are_locked_like_real_ones(browser):
    client = browser(lang="en")
    _fail(client, "nobody-here", 5)
    assert client.post("/login", data={"username": "nobody-here", "password": "x"}).status_code == 429


def test_one_address_trying_many_accounts_is_throttled(app, browser):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 8
    client = browser(lang="en")
    for name in ("a1", "a2", "a3", "a4"):
        _fail(client, name, 2, ip="10.9.9.9")
    refused = client.post("/login", data={"username": "city", "password": demo.DEMO_PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert refused.status_code == 429
    assert client.post("/login", data={"username": "city", "password": demo.DEMO_PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.9.9.10"}).status_code == 302
