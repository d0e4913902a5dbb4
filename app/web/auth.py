"""Logging in and out, and choosing the UI language."""
from functools import wraps
from urllib.parse import urlparse

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..services.errors import TooManyAttempts, ValidationFailed
from ..services.identity import users

bp = Blueprint("auth", __name__)


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target):
    parsed = urlparse(target or "")
    if parsed.scheme or parsed.netloc or not (target or "").startswith("/"):
        return url_for("views.inbox")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        try:
            user = users.authenticate(request.form.get("username", "").strip(), request.form.get("password", ""),
                                      request.remote_addr or "")
        except TooManyAttempts as exc:
            error, status = exc.message, exc.status
        else:
            if user is None:
                error, status = _("Wrong user name or password."), 401
            else:
                start_session(user)
                return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error), status


def start_session(user):
    """A new login cookie for `user` (a fresh session: nothing from before the login carries over but
    the language), bound to the user's session generation."""
    locale = session.get("locale") or user.locale      # chosen on the login page, else the user's own
    session.clear()
    session["user_id"] = user.id
    session["generation"] = user.session_generation
    if locale:
        session["locale"] = locale


# what an account that must change its password may still reach (app/web/__init__.py redirects the rest)
OPEN_WHILE_PASSWORD_MUST_CHANGE = frozenset({"auth.password", "auth.logout", "auth.set_language", "auth.login",
                                             "static", "vendor_file"})


def password_change_gate():
    """Before every page: an account that must change its password (created or reset by an
    administrator, or a demo account outside demo mode) is sent to the password page first.
    The API refuses such an account itself (app/api/auth.py)."""
    if g.user is None or request.path.startswith("/api/") or request.endpoint in OPEN_WHILE_PASSWORD_MUST_CHANGE:
        return None
    if users.must_change_password(g.user):
        return redirect(url_for("auth.password", next=request.full_path if request.method == "GET" else None))
    return None


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; the page an account that must change it is sent to."""
    errors, status = {}, 200
    if request.method == "POST":
        try:
            user = users.change_password(g.user, request.form.get("current_password", ""),
                                         request.form.get("new_password", ""))
        except ValidationFailed as exc:
            errors, status = exc.errors, exc.status
        else:
            start_session(user)       # this browser stays logged in; every other session has ended
            flash(_("Your password was changed. Other sessions have been logged out."))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("password.html", password_errors=errors,
                           forced=users.must_change_password(g.user)), status


@bp.route("/logout", methods=["POST"])
def logout():
    if g.user is not None:
        users.end_sessions(g.user)     # server-side: a copy of this cookie no longer logs anyone in
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    if code in users.LANGUAGES:
        session["locale"] = code
        if g.user is not None:
            users.set_language(g.user, code)    # kept for the user's next logins and e-mails
    flash(_("Language changed."))
    return redirect(_safe_next(request.form.get("next")))
