"""What auditors search: cases by any recorded fact, and administrative operations."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select

from ...extensions import db
from ...models import AuditEvent, ProcessDefinition, ProcessInstance, User
from ...models.identity import utcnow
from ..errors import ValidationFailed
from ..registries.achievements import access as achievement_access
from ..workflow.queries import Page, day_bound
from .replay import require_auditor

ADMIN_EVENT_TYPES = ("definition_deployed", "user_created", "api_token_issued", "api_token_revoked",
                     "password_changed", "login_locked", "task_reassigned",
                     "data_corrected", "instance_migrated", "incident_retried", "instance_terminated",
                     "form_deployed", "process_start_disabled", "process_start_enabled",
                     "user_updated", "user_deactivated", "user_reactivated", "password_reset",
                     "group_created", "group_changed", "unit_created", "unit_changed", "holidays_imported",
                     "instance_suspended", "instance_resumed", "migration_started",
                     "instance_cancelled")     # not an administrator's, but the other early end of a case


@dataclass
class CaseFilter:
    process_key: str = ""
    version: str = ""
    district: str = ""
    status: str = ""
    actor: str = ""           # user name of anyone who did anything in the case
    date_from: str = ""       # YYYY-MM-DD, case start
    date_to: str = ""
    business_key: str = ""
    text: str = ""            # in the case title (consortium name, chain domain)


def check_filter(f):
    """Refuse a malformed version or date, naming the parameter (version, from, to)."""
    errors = {}
    if f.version and not (f.version.isascii() and f.version.isdigit() and len(f.version) <= 9):
        errors["version"] = [_("A version is a whole number.")]
    for name, value in (("from", f.date_from), ("to", f.date_to)):
        try:
            day_bound(value)
        except ValueError:
            errors[name] = [_("Write the date as YYYY-MM-DD.")]
    if errors:
        raise ValidationFailed(_("Dates are written YYYY-MM-DD and versions as numbers."), errors)


def case_query(f):
    check_filter(f)
    query = select(ProcessInstance)
    if f.process_key:
        query = query.where(ProcessInstance.process_key == f.process_key)
    if f.version:
        query = query.join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id) \
            .where(ProcessDefinition.version == int(f.version))
    if f.district:
        query = query.where(ProcessInstance.district == f.district)
    if f.status:
        query = query.where(or_(ProcessInstance.status == f.status, ProcessInstance.outcome == f.status))
    if f.business_key:
        query = query.where(ProcessInstance.business_key.ilike(f"%{f.business_key.strip()}%"))
    if f.text:
        query = query.where(ProcessInstance.title.ilike(f"%{f.text.strip()}%"))
    if (start := day_bound(f.date_from)) is not None:
        query = query.where(ProcessInstance.started_at >= start)
    if (end := day_bound(f.date_to, end=True)) is not None:
        query = query.where(ProcessInstance.started_at <= end)
    if f.actor:
        query = query.where(exists().where(
            AuditEvent.instance_id == ProcessInstance.id, AuditEvent.actor_id == User.id,
            User.username == f.actor.strip()))
    return query


def _readable(query, actor):
    """Without the cases of achievements the reader may not read (a delisted one, for an administrator)."""
    return query.where(ProcessInstance.id.not_in(achievement_access.unreadable_cases(actor, utcnow())))


def search_cases(actor, f, page=1, per_page=20):
    require_auditor(actor)
    query = _readable(case_query(f), actor)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(query.order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def matching_cases(actor, f, limit=10000):
    """Every case matching a filter (for exports)."""
    require_auditor(actor)
    return db.session.execute(_readable(case_query(f), actor).order_by(ProcessInstance.id)
                              .limit(limit)).scalars().all()


def admin_operations(actor, page=1, per_page=50):
    require_auditor(actor)
    query = select(AuditEvent).where(or_(AuditEvent.chain == "system", AuditEvent.type.in_(ADMIN_EVENT_TYPES)))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)
