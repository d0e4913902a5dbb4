"""Logging in and out, and choosing the UI language."""
from functools import wraps
from urllib.parse import urlparse

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

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
    error = None
    if request.method == "POST":
        user = users.authenticate(request.form.get("username", "").strip(), request.form.get("password", ""))
        if user is None:
            error = _("Wrong user name or password.")
        else:
            locale = session.get("locale")
            session.clear()
            session["user_id"] = user.id
            if locale:
                session["locale"] = locale
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    if code in ("zh_CN", "en"):
        session["locale"] = code
    flash(_("Language changed."))
    return redirect(_safe_next(request.form.get("next")))
