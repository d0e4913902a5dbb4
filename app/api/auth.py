"""API authentication: a per-user bearer token, or the browser session plus
the CSRF header on writes (so a cross-site form cannot use the session)."""
from flask import current_app, g, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf

from ..services.errors import Forbidden, ServiceError
from ..services.identity import users

_NEEDS_CSRF = "session requests that change data need the X-CSRFToken header"


class Unauthorized(ServiceError):
    status = 401


def _refuse_until_password_changed(user):
    """An account that must change its password (created or reset by an administrator, or a demo
    account outside demo mode) does nothing else first, through the session or a token alike."""
    if users.must_change_password(user):
        raise Forbidden(_("Change your password first: log in to the web page and choose a new one (/password)."))


def authenticate_request():
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = users.user_for_token(header[7:].strip(), request.remote_addr or "")
        if user is None:
            raise Unauthorized("the API token is not valid")
        _refuse_until_password_changed(user)
        g.user = user
        return
    user = users.user_for_session(session.get("user_id"), session.get("generation"))
    if user is None:
        raise Unauthorized("log in, or send Authorization: Bearer <api token>")
    # Same switch as the forms: WTF_CSRF_ENABLED=False turns the check off everywhere, not only on pages
    if request.method not in ("GET", "HEAD", "OPTIONS") and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except CSRFError as exc:
            raise Unauthorized(f"{_NEEDS_CSRF} ({exc.description})") from None
        except Exception as exc:  # validate_csrf raises ValidationError from wtforms
            raise Unauthorized(f"{_NEEDS_CSRF} ({exc})") from None
    _refuse_until_password_changed(user)
    g.user = user


def authenticate_if_any():
    """For reads open to anybody: who the caller is if they sent credentials (g.user), else None.
    Bad credentials are still refused; writes authenticate in full (authenticate_request)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") or \
            users.user_for_session(session.get("user_id"), session.get("generation")) is not None:
        authenticate_request()
    else:
        g.user = None        # no credentials, or a session that ended: an anonymous reader
