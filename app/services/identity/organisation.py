"""Administrators keep the organisation: groups (roles, the district offices, units' leaders) and
units (enterprises, institutions, offices).

A district office is the group `district_office:<district>` (kind "district") of one of the
districts of app/domain/districts.py; a unit's leaders are `unit_leader:<unit key>` (kind "unit").
A group's kind follows from its key, so the permission rules (permissions.py) read the key only.
Each writing function is one command with an audit event on the system chain.
"""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...domain.credit_code import Reason, normalize, validate_credit_code
from ...domain.districts import DISTRICTS, district_office_group
from ...extensions import db
from ...models import Group, Unit, User
from ...models.identity import user_groups
from ..audit import trail as audit
from ..command import command
from ..errors import NotFound, ValidationFailed
from .accounts import require_admin
from .permissions import ADMINS, DISTRICT_PREFIX

GROUP_KEY = re.compile(r"^[a-z0-9_]{2,40}(:[a-z0-9_]{1,59})?$")
UNIT_KEY = re.compile(r"^[a-z0-9_]{2,64}$")
UNIT_LEADER_PREFIX = "unit_leader:"
UNIT_TYPES = ("enterprise", "chain_owner", "technical_institution", "industry_association",
              "research_institute", "university", "office")


def unit_type_labels():
    return {"enterprise": _("Enterprise"), "chain_owner": _("Chain-owner enterprise"),
            "technical_institution": _("Technical institution"), "industry_association": _("Industry association"),
            "research_institute": _("Research institute"), "university": _("University"),
            "office": _("Government office")}


# --- groups -----------------------------------------------------------------------------------------

def list_groups(actor):
    """Every group with its number of active members, district offices and units' leaders last."""
    require_admin(actor)
    counts = dict(db.session.execute(
        select(user_groups.c.group_id, func.count()).join(User, User.id == user_groups.c.user_id)
        .where(User.active.is_(True)).group_by(user_groups.c.group_id)).all())
    groups = db.session.execute(select(Group).order_by(Group.kind.desc(), Group.key)).scalars().all()
    return [(group, counts.get(group.id, 0)) for group in groups]


def _group(session, group_id):
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound(_("Group %(id)s does not exist.", id=group_id))
    return group


def get_group(actor, group_id):
    require_admin(actor)
    return _group(db.session, group_id)


def members_of(actor, group_id):
    group = get_group(actor, group_id)
    return db.session.execute(select(User).options(selectinload(User.unit))
                              .where(User.groups.any(Group.id == group.id))
                              .order_by(User.display_name, User.username)).scalars().all()


def _kind_of(session, key, errors):
    """A group's kind from its key: a district office must name a known district, a unit's leaders
    an existing unit."""
    if key.startswith(DISTRICT_PREFIX):
        if key[len(DISTRICT_PREFIX):] not in DISTRICTS:
            errors["key"] = [_("Unknown district %(code)s.", code=key[len(DISTRICT_PREFIX):])]
        return "district"
    if key.startswith(UNIT_LEADER_PREFIX):
        unit_key = key[len(UNIT_LEADER_PREFIX):]
        if session.execute(select(Unit.id).where(Unit.key == unit_key)).first() is None:
            errors["key"] = [_("Unknown unit %(key)s.", key=unit_key)]
        return "unit"
    if ":" in key:
        errors["key"] = [_("Only district offices (district_office:…) and units' leaders (unit_leader:…) "
                           "have a ':' in their key.")]
    return "role"


def create_group(actor, key, name):
    require_admin(actor)
    key, name = (key or "").strip(), (name or "").strip()
    errors = {}
    if not GROUP_KEY.match(key):
        errors["key"] = [_("Lower-case letters, digits and '_', e.g. experts or district_office:tianhe.")]
    if not name:
        errors["name"] = [_("This field is required.")]
    with command(actor) as ctx:
        kind = _kind_of(ctx.session, key, errors) if "key" not in errors else "role"
        if "key" not in errors and ctx.session.execute(select(Group.id).where(Group.key == key)).first():
            errors["key"] = [_("The group %(key)s exists already.", key=key)]
        if errors:
            raise ValidationFailed(_("The group was not created."), errors)
        group = Group(key=key, name=name, kind=kind)
        ctx.session.add(group)
        ctx.session.flush()
        audit.record(ctx, "group_created", actor=actor, data={"group": key, "name": name, "kind": kind})
    return group


def rename_group(actor, group_id, name):
    require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("The group was not renamed."), {"name": [_("This field is required.")]})
    with command(actor) as ctx:
        group = _group(ctx.session, group_id)
        if group.name != name:
            audit.record(ctx, "group_changed", actor=actor, data={"group": group.key, "name": [group.name, name]})
            group.name = name
    return group


def _member(session, username):
    user = session.execute(select(User).where(User.username == (username or "").strip())).scalar_one_or_none()
    if user is None:
        raise ValidationFailed(_("Unknown user."), {"user": [_("No user named %(name)s.", name=username)]})
    return user


def add_member(actor, group_id, username):
    """Put an account into a group (nothing changes, and nothing is recorded, if it is in already)."""
    require_admin(actor)
    with command(actor) as ctx:
        group = _group(ctx.session, group_id)
        user = _member(ctx.session, username)
        if group not in user.groups:
            user.groups.append(group)
            audit.record(ctx, "group_changed", actor=actor, data={"group": group.key, "added": user.username})
    return group


def remove_member(actor, group_id, username):
    require_admin(actor)
    with command(actor) as ctx:
        group = _group(ctx.session, group_id)
        user = _member(ctx.session, username)
        if user.id == actor.id and group.key == ADMINS:
            raise ValidationFailed(_("You cannot remove yourself from the administrators."),
                                   {"user": [_("You cannot remove yourself from the administrators.")]})
        if group in user.groups:
            user.groups.remove(group)
            audit.record(ctx, "group_changed", actor=actor, data={"group": group.key, "removed": user.username})
    return group


def ensure_district_offices(actor):
    """Create the office group of every district that has none yet (named after the district)."""
    require_admin(actor)
    with command(actor) as ctx:
        existing = set(ctx.session.execute(select(Group.key).where(Group.kind == "district")).scalars())
        created = []
        for code, (zh, _en) in DISTRICTS.items():
            if district_office_group(code) not in existing:
                ctx.session.add(Group(key=district_office_group(code), name=f"{zh}质量强区工作领导小组办公室",
                                      kind="district"))
                created.append(district_office_group(code))
        if created:
            audit.record(ctx, "group_created", actor=actor, data={"groups": created, "kind": "district"})
    return created


# --- units ------------------------------------------------------------------------------------------

@dataclass
class UnitInput:
    key: str = ""
    name: str = ""
    unit_type: str = "enterprise"
    credit_code: str = ""
    district: str = ""


def list_units(actor):
    require_admin(actor)
    return db.session.execute(select(Unit).order_by(Unit.name)).scalars().all()


def get_unit(actor, unit_id):
    require_admin(actor)
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_("Unit %(id)s does not exist.", id=unit_id))
    return unit


def _credit_code_problem(code):
    reason = validate_credit_code(code)
    if reason is None:
        return None
    if isinstance(reason, Reason):          # the domain's English reason, in the user's language
        reason = _(reason.template, **reason.params)
    return _("Not a valid unified social credit code: %(reason)s", reason=reason)


def _check_unit(session, data, unit_id, errors):
    if not data.name.strip():
        errors["name"] = [_("This field is required.")]
    if data.unit_type not in UNIT_TYPES:
        errors["unit_type"] = [_("Choose one of the listed types.")]
    if data.district and data.district not in DISTRICTS:
        errors["district"] = [_("Unknown district %(code)s.", code=data.district)]
    code = normalize(data.credit_code) if data.credit_code.strip() else ""
    if code:
        problem = _credit_code_problem(code)
        if problem:
            errors["credit_code"] = [problem]
        elif session.execute(select(Unit.id).where(Unit.credit_code == code, Unit.id != (unit_id or 0))).first():
            errors["credit_code"] = [_("Another unit has this credit code.")]
    return code or None


def _unit_summary(unit):
    return {"unit": unit.key, "name": unit.name, "unit_type": unit.unit_type, "credit_code": unit.credit_code,
            "district": unit.district}


def create_unit(actor, data):
    require_admin(actor)
    errors = {}
    if not UNIT_KEY.match(data.key or ""):
        errors["key"] = [_("Lower-case letters, digits and '_' (2 to 64), e.g. gz_smart_equipment.")]
    with command(actor) as ctx:
        code = _check_unit(ctx.session, data, None, errors)
        if "key" not in errors and ctx.session.execute(select(Unit.id).where(Unit.key == data.key)).first():
            errors["key"] = [_("The unit %(key)s exists already.", key=data.key)]
        if errors:
            raise ValidationFailed(_("The unit was not saved."), errors)
        unit = Unit(key=data.key, name=data.name.strip(), unit_type=data.unit_type, credit_code=code,
                    district=data.district or None)
        ctx.session.add(unit)
        ctx.session.flush()
        audit.record(ctx, "unit_created", actor=actor, data=_unit_summary(unit))
    return unit


def update_unit(actor, unit_id, data):
    """Change a unit's name, type, credit code and district (not its key: groups are named after it)."""
    require_admin(actor)
    errors = {}
    with command(actor) as ctx:
        unit = ctx.session.get(Unit, unit_id)
        if unit is None:
            raise NotFound(_("Unit %(id)s does not exist.", id=unit_id))
        code = _check_unit(ctx.session, data, unit.id, errors)
        if errors:
            raise ValidationFailed(_("The unit was not saved."), errors)
        before = _unit_summary(unit)
        unit.name, unit.unit_type, unit.credit_code = data.name.strip(), data.unit_type, code
        unit.district = data.district or None
        after = _unit_summary(unit)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            audit.record(ctx, "unit_changed", actor=actor, data={"unit": unit.key, "changes": changes})
    return unit
