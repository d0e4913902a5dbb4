"""Accounts: authentication, login sessions, API tokens, and creating users and groups (CLI, demo data)."""
import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from ...extensions import db
from ...models import ApiToken, Group, Unit, User
from ...models.identity import utcnow
from ..audit import trail as audit
from ..command import command
from ..errors import NotFound, ValidationFailed
from . import throttle

_dummy_hashes: dict[str, str] = {}


def _dummy_hash():
    """A hash made the way real ones are (the configured method), made once, when first needed: checking
    a password against it costs what checking a real one does, and no web worker pays scrypt's
    32 MB of work memory at start-up."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("not-a-password", method=method)
    return _dummy_hashes[method]


def hash_password(password):
    # Tests may choose a cheaper method (config PASSWORD_HASH_METHOD); production keeps scrypt.
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _token_digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


MIN_PASSWORD_LENGTH = 8


def authenticate(username, password, ip=""):
    """The active user with this name and password, or None; TooManyAttempts (429) while the account or
    the address is locked (throttle.py). A refusal is counted; a success clears the account's failures."""
    throttle.check(db.session, username, ip)
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        check_password_hash(_dummy_hash(), password or "")   # same work either way: no user enumeration by timing
        ok = False
    else:
        ok = user.active and check_password_hash(user.password_hash, password or "")
    if not ok:
        throttle.record_failure(username, ip)
        return None
    with command(user) as ctx:
        throttle.clear_account(ctx.session, username)
    return user


@functools.cache
def _user_by_id_query():
    """A user with its groups, one indexed query (built once: every page request runs it, and the
    permissions read the groups right after)."""
    return select(User).options(joinedload(User.groups)).where(User.id == bindparam("user_id"))


def user_for_session(user_id, generation):
    """The active user of a login cookie, or None: a cookie from before the user's last logout or
    password change carries an older session generation and no longer counts."""
    if not isinstance(user_id, int) or isinstance(user_id, bool) or generation is None:
        return None
    user = db.session.execute(_user_by_id_query(), {"user_id": user_id}).unique().scalar_one_or_none()
    if user is None or not user.active:
        return None
    return user if user.session_generation == generation else None


def end_sessions(user):
    """Log the user out everywhere: every login cookie issued so far stops working."""
    with command(user) as ctx:
        row = ctx.session.get(User, user.id)
        row.session_generation = row.session_generation + 1
        audit.record(ctx, "logged_out", actor=user, data={"user": user.username})


def password_problems(username, password):
    """What is wrong with a new password (the policy the forms state), as a list of messages."""
    problems = []
    if len(password or "") < MIN_PASSWORD_LENGTH:
        problems.append(_("The new password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if password and username and password.strip().casefold() == username.strip().casefold():
        problems.append(_("The new password must not be the user name."))
    return problems


def must_change_password(user):
    """Whether the user must choose a new password before anything else: the account was created or
    reset by an administrator, or seeded with the demo password, and the setting is on."""
    return bool(user is not None and user.must_change_password and current_app.config.get("FORCE_PASSWORD_CHANGE"))


def change_password(actor, current, new):
    """Change the actor's own password; every earlier login session ends (the caller logs the current
    browser in again with the new generation)."""
    errors = {}
    if not check_password_hash(actor.password_hash, current or ""):
        errors["current_password"] = [_("The current password is wrong.")]
    problems = password_problems(actor.username, new)
    if not problems and check_password_hash(actor.password_hash, new):
        problems.append(_("Choose a password different from the current one."))
    if problems:
        errors["new_password"] = problems
    if errors:
        raise ValidationFailed(_("The password was not changed."), errors)
    with command(actor) as ctx:
        user = ctx.session.get(User, actor.id)
        user.password_hash = hash_password(new)
        user.session_generation = user.session_generation + 1
        user.must_change_password, user.password_changed_at = False, ctx.now
        audit.record(ctx, "password_changed", actor=user, data={"user": user.username})
    return user


LANGUAGES = ("zh_CN", "en")


def set_language(actor, code):
    """Keep the language the actor chose for their next logins and their e-mails (their own only)."""
    if code not in LANGUAGES:
        raise ValidationFailed(_("Not a language of this system."), {"locale": [
            _("Choose from: %(values)s.", values=", ".join(LANGUAGES))]})
    if actor.locale == code:
        return actor
    with command(actor) as ctx:
        user = ctx.session.get(User, actor.id)
        user.locale = code
    return user


# --- API tokens -------------------------------------------------------------------------------------

TOUCH_EVERY = timedelta(minutes=1)     # last_used_at is written at most this often per token


def user_for_token(token, ip=""):
    """The active user whose live (unexpired, unrevoked) API token this is, or None; TooManyAttempts
    while the address is locked out for failed logins or tokens (a locked address learns nothing,
    not even that a token is right).

    One indexed query: the token (unique hash) with its user, the user's groups, and the address's
    recent failures. A refused token counts as a failure of the address."""
    if not token:
        return None
    now = utcnow()
    lim = throttle.limits()
    row = db.session.execute(_token_query(), {
        "digest": _token_digest(token), "now": now, "ip": ip, "since": now - lim.window}).unique().first()
    if row is None:
        throttle.check(db.session, "", ip, now)
        throttle.record_failure("", ip)
        return None
    user, api_token, recent_failures = row
    if recent_failures >= lim.per_ip:
        throttle.check(db.session, "", ip, now)
    if not user.active:
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at >= TOUCH_EVERY:
        _touch(user, api_token.id, now)
    return user


@functools.cache
def _token_query():
    """The token (unique hash) with its user, the user's groups and the address's recent failures.
    Built once with bound parameters: every API request runs it, and building the statement cost
    more than running it (SQLAlchemy caches the compiled SQL, not the statement object)."""
    failures = throttle.ip_failure_count(bindparam("ip"), bindparam("since")).scalar_subquery()
    return (select(User, ApiToken, failures).join(ApiToken, ApiToken.user_id == User.id)
            .options(joinedload(User.groups))
            .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
                   ApiToken.expires_at > bindparam("now")))


def _touch(user, token_id, now):
    """Record when a token was last used (to the minute: conditional, so concurrent requests write once)."""
    with command(user) as ctx:
        ctx.session.execute(update(ApiToken).where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOUCH_EVERY))
            .values(last_used_at=now).execution_options(synchronize_session=False))


def issue_token(actor, label=""):
    """Create an API token for the actor, valid for API_TOKEN_DAYS; the plain token is returned (and shown) once."""
    token = "cq_" + secrets.token_urlsafe(32)
    days = current_app.config.get("API_TOKEN_DAYS", 90)
    with command(actor) as ctx:
        row = ApiToken(user_id=actor.id, token_hash=_token_digest(token), label=(label or "").strip()[:100],
                       created_at=ctx.now, expires_at=ctx.now + timedelta(days=days))
        ctx.session.add(row)
        ctx.session.flush()
        audit.record(ctx, "api_token_issued", actor=actor,
                     data={"user": actor.username, "token_id": row.id, "expires_at": row.expires_at.isoformat()})
    return token


def tokens_of(actor):
    """The actor's API tokens, newest first (live, expired and revoked), for the profile page."""
    return db.session.execute(select(ApiToken).where(ApiToken.user_id == actor.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).scalars().all()


def revoke_token(actor, token_id):
    """Revoke one of the actor's own API tokens; it stops working at once."""
    with command(actor) as ctx:
        row = ctx.session.get(ApiToken, token_id)
        if row is None or row.user_id != actor.id:
            raise NotFound(_("API token %(id)s does not exist.", id=token_id))
        if row.revoked_at is None:
            row.revoked_at = ctx.now
            audit.record(ctx, "api_token_revoked", actor=actor, data={"user": actor.username, "token_id": row.id})
    return row


def ensure_group(key, name, kind="role"):
    """The group of that key, created or renamed to `name` (the group's name in Chinese)."""
    group = db.session.execute(select(Group).where(Group.key == key)).scalar_one_or_none()
    if group is None:
        group = Group(key=key, name=name, kind=kind)
        db.session.add(group)
    elif group.name != name:
        group.name = name
    return group


def ensure_unit(key, name, unit_type="enterprise", credit_code=None, district=None):
    unit = db.session.execute(select(Unit).where(Unit.key == key)).scalar_one_or_none()
    if unit is None:
        unit = Unit(key=key, name=name, unit_type=unit_type, credit_code=credit_code, district=district)
        db.session.add(unit)
    return unit


def ensure_user(username, display_name, password, groups=(), unit=None, district=None, must_change=False):
    """The user of that name, created with these details if missing; `groups` are added. `must_change`:
    a new account must choose its own password at first login (the demo accounts)."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(username=username, display_name=display_name, password_hash=hash_password(password),
                    unit=unit, district=district, email=f"{username}@chainq.example",
                    must_change_password=must_change)
        db.session.add(user)
    for group in groups:
        if group not in user.groups:
            user.groups.append(group)
    return user


PEOPLE_LIST_LIMIT = 200     # a page lists up to this many people; beyond, the picker searches as one types


def directory(limit=None):
    """Active users with their units and groups (the people picker searches all three), for choosing
    a transfer, delegation, signer or CC target; at most `limit` of them."""
    query = select(User).options(selectinload(User.unit), selectinload(User.groups)) \
        .where(User.active.is_(True)).order_by(User.display_name, User.username)
    return db.session.execute(query.limit(limit) if limit else query).scalars().all()


def picker_directory():
    """The people a page's picker lists: all of them, or PEOPLE_LIST_LIMIT + 1 (the picker then knows
    there are more, and searches GET /api/v1/people as one types)."""
    return directory(limit=PEOPLE_LIST_LIMIT + 1)


PEOPLE_LIMIT = 20


def search_people(q, limit=PEOPLE_LIMIT):
    """Active users whose user name, display name, unit name, group key or group name contains `q`
    (the people picker's search, for any logged-in user), by display name."""
    like = f"%{(q or '').strip()}%"
    query = select(User).outerjoin(Unit, Unit.id == User.unit_id).where(User.active.is_(True))
    if (q or "").strip():
        query = query.where(or_(User.username.ilike(like), User.display_name.ilike(like), Unit.name.ilike(like),
                                User.groups.any(or_(Group.key.ilike(like), Group.name.ilike(like)))))
    return db.session.execute(query.options(selectinload(User.unit), selectinload(User.groups))
                              .order_by(User.display_name, User.username).limit(limit)).scalars().all()
