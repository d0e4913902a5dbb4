"""Throttling password and token guessing, with the failures counted in the database.

Every refused password is a row of `login_failure` (user name, client address,
time), so the count holds across web workers and processes. Within the window
(`LOGIN_WINDOW_MINUTES`, 15 by default):

- an account with `LOGIN_MAX_FAILURES_PER_ACCOUNT` failures (5) is locked: its
  password is not even checked until its oldest counted failure leaves the window
  (at most one window after the lock);
- an address with `LOGIN_MAX_FAILURES_PER_IP` failures (50; refused API tokens
  count too) may not log in nor use an API token until it falls below the limit.

Attempts refused while locked are not counted, so a lock does not grow longer
under a continued attack. A lock is written to the audit trail (system chain)
when it begins. Unknown user names are counted like real ones: a lock tells
nobody whether an account exists. A successful login clears its account's failures.
"""
import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ...models import LoginFailure
from ...models.identity import utcnow
from ..audit import trail as audit
from ..command import command
from ..errors import TooManyAttempts


@dataclass(frozen=True)
class Limits:
    window: timedelta
    per_account: int
    per_ip: int


def limits():
    config = current_app.config
    return Limits(timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
                  config["LOGIN_MAX_FAILURES_PER_IP"])


def ip_failure_count(ip, since):
    """The address's failures since `since` (index (ip, at)), as a query to run or embed."""
    return select(func.count(LoginFailure.id)).where(LoginFailure.ip == ip, LoginFailure.at > since)


def check(session, username, ip, now=None):
    """Refuse (TooManyAttempts, HTTP 429) while the account or the address is locked."""
    now = now or utcnow()
    lim = limits()
    since = now - lim.window
    for column, value, limit in ((LoginFailure.username, username, lim.per_account),
                                 (LoginFailure.ip, ip, lim.per_ip)):
        if not value:
            continue
        # the limit-th most recent failure in the window: the lock lifts when it leaves the window
        locking = session.execute(select(LoginFailure.at).where(column == value, LoginFailure.at > since)
                                  .order_by(LoginFailure.at.desc()).offset(limit - 1).limit(1)).scalar()
        if locking is not None:
            refuse(locking + lim.window - now)


def refuse(remaining: timedelta):
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    raise TooManyAttempts(_("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes))


def record_failure(username, ip):
    """Count one refused password (username) or API token (username ""); audit a lock as it begins."""
    lim = limits()
    with command() as ctx:
        since = ctx.now - lim.window
        ctx.session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
        ctx.session.add(LoginFailure(username=username[:80], ip=ip[:64], at=ctx.now))
        ctx.session.flush()
        if username and _count(ctx.session, LoginFailure.username, username, since) == lim.per_account:
            audit.record(ctx, "login_locked", data={"user": username[:80], "ip": ip[:64],
                                                    "failures": lim.per_account, "minutes": _minutes(lim)})
        if _count(ctx.session, LoginFailure.ip, ip, since) == lim.per_ip:
            audit.record(ctx, "login_locked", data={"ip": ip[:64], "failures": lim.per_ip, "minutes": _minutes(lim)})


def clear_account(session, username):
    """After a successful login: the account's own failures no longer count (inside the caller's command)."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))


def _count(session, column, value, since):
    return session.execute(select(func.count(LoginFailure.id)).where(column == value, LoginFailure.at > since)).scalar()


def _minutes(lim):
    return int(lim.window.total_seconds() // 60)
