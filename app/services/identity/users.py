"""Accounts: authentication, API tokens, and creating users and groups (CLI, demo data)."""
import hashlib
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ...extensions import db
from ...models import Group, Unit, User
from ..audit import trail as audit
from ..command import command

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


def authenticate(username, password):
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        check_password_hash(_dummy_hash(), password or "")   # same work either way: no user enumeration by timing
        return None
    if not user.active or not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def _with_groups(condition):
    """The active user matching `condition`, with its groups, in one indexed query: every
    request authenticates, and permissions read the groups right after."""
    user = db.session.execute(select(User).options(joinedload(User.groups)).where(condition)) \
        .unique().scalar_one_or_none()
    return user if user is not None and user.active else None


def user_for_token(token):
    """The active user whose API token this is, or None."""
    return _with_groups(User.api_token_hash == _token_digest(token)) if token else None


def user_by_id(user_id):
    """The active user of a login session, or None."""
    return _with_groups(User.id == user_id) if user_id else None


def issue_token(actor):
    """Create (or replace) the actor's API token; the plain token is shown once."""
    token = "cq_" + secrets.token_urlsafe(32)
    with command(actor) as ctx:
        user = db.session.get(User, actor.id)
        user.api_token_hash = _token_digest(token)
        audit.record(ctx, "api_token_issued", actor=user, data={"user": user.username})
    return token


def ensure_group(key, name, kind="role"):
    group = db.session.execute(select(Group).where(Group.key == key)).scalar_one_or_none()
    if group is None:
        group = Group(key=key, name=name, kind=kind)
        db.session.add(group)
    return group


def ensure_unit(key, name, unit_type="enterprise", credit_code=None, district=None):
    unit = db.session.execute(select(Unit).where(Unit.key == key)).scalar_one_or_none()
    if unit is None:
        unit = Unit(key=key, name=name, unit_type=unit_type, credit_code=credit_code, district=district)
        db.session.add(unit)
    return unit


def ensure_user(username, display_name, password, groups=(), unit=None, district=None):
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(username=username, display_name=display_name, password_hash=hash_password(password),
                    unit=unit, district=district, email=f"{username}@chainq.example")
        db.session.add(user)
    for group in groups:
        if group not in user.groups:
            user.groups.append(group)
    return user


def create_user(username, display_name, password, group_keys=(), unit_key=None):
    """CLI: create a user in existing groups, as one command."""
    with command() as ctx:
        groups = [ensure_group(k, k) for k in group_keys]
        unit = db.session.execute(select(Unit).where(Unit.key == unit_key)).scalar_one_or_none() if unit_key else None
        user = ensure_user(username, display_name, password, groups, unit)
        db.session.flush()
        audit.record(ctx, "user_created", data={"user": username, "groups": list(group_keys)})
    return user


def directory():
    """Active users (name and display name), for choosing a transfer or CC target."""
    return db.session.execute(select(User).where(User.active.is_(True)).order_by(User.username)).scalars().all()
