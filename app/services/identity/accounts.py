"""Administrators manage accounts: list, create, edit, deactivate and reactivate, reset a password.

Each public function that writes is one command: it checks that the actor is an administrator,
changes the account and records an audit event on the system chain (the operations page of the
auditors lists them: ADMIN_EVENT_TYPES). A password an administrator chose or generated is one the
administrator knows, so the account must change it at its next login (`must_change_password`).
"""
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from ...domain.districts import DISTRICTS
from ...extensions import db
from ...models import Group, HumanTask, Unit, User
from ...models.states import TaskStatus
from ..audit import trail as audit
from ..command import command
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..workflow.queries import Page
from .permissions import ADMINS, is_admin
from .users import hash_password, password_problems

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,79}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# no 0/O, 1/l/I: a generated password is read off the screen and typed in once
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 12


def require_admin(actor):
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))


def generate_password():
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(GENERATED_LENGTH))


@dataclass
class UserFilter:
    text: str = ""       # in the user name, display name, e-mail or unit name
    group: str = ""      # a group key
    unit: str = ""       # a unit key
    status: str = ""     # "active", "inactive" or "" (both)


def list_users(actor, f, page=1, per_page=50):
    """The accounts matching a filter, by display name, with their units and groups."""
    require_admin(actor)
    query = select(User).outerjoin(Unit, Unit.id == User.unit_id)
    if f.text.strip():
        like = f"%{f.text.strip()}%"
        query = query.where(or_(User.username.ilike(like), User.display_name.ilike(like), User.email.ilike(like),
                                Unit.name.ilike(like)))
    if f.group:
        query = query.where(User.groups.any(Group.key == f.group))
    if f.unit:
        query = query.where(Unit.key == f.unit)
    if f.status in ("active", "inactive"):
        query = query.where(User.active.is_(f.status == "active"))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(query.options(selectinload(User.unit), selectinload(User.groups))
                               .order_by(User.display_name, User.username)
                               .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def get_user(actor, user_id):
    require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("User %(id)s does not exist.", id=user_id))
    return user


def open_tasks_of(actor, user_id):
    """The open tasks assigned to the account (an administrator hands them to someone else before or
    after deactivating it: they are never dropped)."""
    require_admin(actor)
    return db.session.execute(select(HumanTask).where(
        HumanTask.assignee_id == user_id, HumanTask.status == TaskStatus.OPEN)
        .order_by(HumanTask.created_at, HumanTask.id)).scalars().all()


@dataclass
class AccountInput:
    """What the create and edit forms (and the API) send."""
    username: str = ""
    display_name: str = ""
    email: str = ""
    unit: str = ""                          # a unit key, "" for none
    district: str = ""                      # a district code, "" for none
    groups: list[str] = field(default_factory=list)    # group keys
    password: str = ""                      # creating: the initial password, "" to generate one


def _check_details(data, errors):
    if not data.display_name.strip():
        errors["display_name"] = [_("This field is required.")]
    if data.email.strip() and not EMAIL.match(data.email.strip()):
        errors["email"] = [_("Not an e-mail address.")]
    if data.district and data.district not in DISTRICTS:
        errors["district"] = [_("Unknown district %(code)s.", code=data.district)]


def _resolve(session, data, errors):
    """The unit and the groups named by key; an unknown one is an error naming its field."""
    unit = None
    if data.unit:
        unit = session.execute(select(Unit).where(Unit.key == data.unit)).scalar_one_or_none()
        if unit is None:
            errors["unit"] = [_("Unknown unit %(key)s.", key=data.unit)]
    keys = sorted(set(data.groups))
    groups = session.execute(select(Group).where(Group.key.in_(keys))).scalars().all() if keys else []
    missing = sorted(set(keys) - {g.key for g in groups})
    if missing:
        errors["groups"] = [_("Unknown group %(key)s.", key=key) for key in missing]
    return unit, groups


def _summary(user):
    return {"user": user.username, "display_name": user.display_name, "email": user.email or "",
            "unit": user.unit.key if user.unit else None, "district": user.district,
            "groups": sorted(g.key for g in user.groups)}


def create_account(actor, data, must_change=True):
    """A new active account; returns (user, the initial password if it was generated, else None).
    The account must change the password at its first login (`must_change`). `actor` None: the
    operator at the command line (`flask create-user`), who may also leave the password as given."""
    if actor is not None:
        require_admin(actor)
    elif not data.password:
        raise ValidationFailed(_("The account was not created."), {"password": [_("This field is required.")]})
    errors = {}
    if not USERNAME.match(data.username or ""):
        errors["username"] = [_("2 to 80 letters, digits, '.', '_' or '-', starting with a letter or digit.")]
    _check_details(data, errors)
    generated = None if data.password else generate_password()
    problems = password_problems(data.username, data.password) if data.password else []
    if problems:
        errors["password"] = problems
    with command(actor) as ctx:
        unit, groups = _resolve(ctx.session, data, errors)
        if "username" not in errors and ctx.session.execute(
                select(User.id).where(func.lower(User.username) == data.username.lower())).first():
            errors["username"] = [_("The user name %(name)s is taken.", name=data.username)]
        if errors:
            raise ValidationFailed(_("The account was not created."), errors)
        user = User(username=data.username, display_name=data.display_name.strip(),
                    email=data.email.strip() or None, unit=unit, district=data.district or None,
                    password_hash=hash_password(data.password or generated), must_change_password=must_change,
                    groups=list(groups))
        ctx.session.add(user)
        ctx.session.flush()
        audit.record(ctx, "user_created", actor=actor, data={**_summary(user), "password_generated": bool(generated),
                                                              "must_change_password": must_change})
    return user, generated


def update_account(actor, user_id, data):
    """Change an account's display name, e-mail, unit, district and groups (not its user name)."""
    require_admin(actor)
    errors = {}
    _check_details(data, errors)
    with command(actor) as ctx:
        user = ctx.session.get(User, user_id)
        if user is None:
            raise NotFound(_("User %(id)s does not exist.", id=user_id))
        unit, groups = _resolve(ctx.session, data, errors)
        if user.id == actor.id and ADMINS in user.group_keys and ADMINS not in {g.key for g in groups}:
            errors["groups"] = [_("You cannot remove yourself from the administrators.")]
        if errors:
            raise ValidationFailed(_("The account was not changed."), errors)
        before = _summary(user)
        user.display_name, user.email = data.display_name.strip(), data.email.strip() or None
        user.unit, user.district, user.groups = unit, data.district or None, list(groups)
        after = _summary(user)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            audit.record(ctx, "user_updated", actor=actor, data={"user": user.username, "changes": changes})
    return user


def _set_active(actor, user_id, active):
    """Deactivate or reactivate in one conditional UPDATE: of two administrators doing it at the same
    moment, one changes the account and the other gets a 409 (no second event). Either way every
    login session of the account ends (the generation moves on), so a reactivated account logs in
    again; a deactivated one's API tokens are refused with it (users.user_for_token)."""
    require_admin(actor)
    if user_id == actor.id:
        raise Forbidden(_("You cannot deactivate or reactivate your own account."))
    with command(actor) as ctx:
        changed = ctx.session.execute(
            update(User).where(User.id == user_id, User.active.is_(not active))
            .values(active=active, session_generation=User.session_generation + 1)
            .execution_options(synchronize_session=False)).rowcount
        user = ctx.session.get(User, user_id, populate_existing=True)
        if user is None:
            raise NotFound(_("User %(id)s does not exist.", id=user_id))
        if not changed and active:
            raise Conflict(_("The account is already active."))
        if not changed:
            raise Conflict(_("The account is already deactivated."))
        data = {"user": user.username}
        if not active:
            data["open_tasks"] = [t.id for t in ctx.session.execute(select(HumanTask).where(
                HumanTask.assignee_id == user.id, HumanTask.status == TaskStatus.OPEN)).scalars()]
        audit.record(ctx, "user_reactivated" if active else "user_deactivated", actor=actor, data=data)
    return user


def deactivate(actor, user_id):
    """The account can no longer log in; its sessions end and its API tokens stop working. Its open
    tasks stay assigned to it until an administrator hands them on (open_tasks_of)."""
    return _set_active(actor, user_id, False)


def reactivate(actor, user_id):
    return _set_active(actor, user_id, True)


def reset_password(actor, user_id, password=""):
    """Give the account a new password (the one given, or a generated one, returned to be shown once);
    its sessions end and it must choose its own password at its next login."""
    require_admin(actor)
    with command(actor) as ctx:
        user = ctx.session.get(User, user_id)
        if user is None:
            raise NotFound(_("User %(id)s does not exist.", id=user_id))
        problems = password_problems(user.username, password) if password else []
        if problems:
            raise ValidationFailed(_("The password was not reset."), {"password": problems})
        new = password or generate_password()
        user.password_hash = hash_password(new)
        user.must_change_password = True
        user.session_generation = user.session_generation + 1
        audit.record(ctx, "password_reset", actor=actor,
                     data={"user": user.username, "password_generated": not password})
    return new if not password else None
