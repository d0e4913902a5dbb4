"""Reading licence agreements: who may see one, a licence's page in one read, and "my licences".

A licence is seen by its parties (the licensee: the applicant and its unit's users; the licensor:
the contributor and its unit's users), the managing body, the city office, auditors and
administrators. Anyone else is told it does not exist (404).
"""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ....extensions import db
from ....models import Achievement, AuditEvent, LicenceAgreement, LicenceRevenue
from ....models.identity import utcnow
from ....models.states import LicenceStatus
from ...errors import Conflict, Forbidden, NotFound
from ...identity.permissions import MANAGING_BODY
from ...workflow import definitions
from . import access, licence_terms, licences, records
from .access import OVERSEERS

PROCESS_KEY = "licence_agreement"
TERMS_FORM = "licence_terms"


def may_see(user, licence):
    """The parties, and the overseers who may read its achievement (not a delisted one's, but for
    the managing body and auditors: access.py)."""
    if user is None:
        return False
    if licences.is_licensee(user, licence) or records.is_contributor(user, licence.achievement):
        return True
    return bool(OVERSEERS & user.group_keys) and access.may_read(db.session, user, licence.achievement_id, utcnow())


def visible_licence(user, licence_id):
    licence = db.session.get(LicenceAgreement, licence_id) if records.is_id(licence_id) else None
    if licence is None or not may_see(user, licence):
        raise NotFound(_("Licence agreement %(id)s does not exist.", id=licence_id))
    return licence


@dataclass
class LicenceDetail:
    licence: Any
    text: str                                        # the canonical text
    text_sha256: str                                 # its hash now
    confirmations: list = field(default_factory=list)
    revenue: list = field(default_factory=list)
    revenue_total: Decimal = Decimal("0.00")
    history: list = field(default_factory=list)      # the case's licence_* audit events
    party: str | None = None                         # the side the reader confirms for
    may_confirm: bool = False                        # the reader's confirmation step is open
    may_record_revenue: bool = False


def _history(licence):
    if licence.instance_id is None:
        return []
    return db.session.execute(select(AuditEvent).where(
        AuditEvent.instance_id == licence.instance_id).order_by(AuditEvent.seq)).scalars().all()


def licence_detail(user, licence_id):
    licence = visible_licence(user, licence_id)
    revenue = db.session.execute(select(LicenceRevenue).where(LicenceRevenue.licence_id == licence.id)
                                 .order_by(LicenceRevenue.received_on, LicenceRevenue.id)).scalars().all()
    party = licences.LICENSEE if licences.is_licensee(user, licence) else \
        licences.LICENSOR if records.is_contributor(user, licence.achievement) else None
    task = licences.open_confirmation(db.session, licence)
    step = task.element_id if task is not None else None
    return LicenceDetail(
        licence, licence_terms.canonical_text(licence), licence_terms.text_hash(licence),
        licences.confirmations(db.session, licence.id), revenue, sum((r.amount for r in revenue), Decimal("0.00")),
        _history(licence), party, party is not None and step == licences.CONFIRM_STEPS[party],
        licence.status in (LicenceStatus.IN_FORCE, LicenceStatus.EXPIRED) and
        (MANAGING_BODY in user.group_keys or records.is_contributor(user, licence.achievement)))


def my_licences(user):
    """(as licensee, as licensor): the licences the user's side holds or granted, newest first."""
    code = records.unit_code(user)
    as_licensee = LicenceAgreement.applicant_id == user.id
    if code:
        as_licensee = or_(as_licensee, LicenceAgreement.licensee_credit_code == code)
    as_licensor = records.contributed_by(user)
    base = select(LicenceAgreement).join(Achievement, Achievement.id == LicenceAgreement.achievement_id) \
        .order_by(LicenceAgreement.created_at.desc(), LicenceAgreement.id.desc())
    return (db.session.execute(base.where(as_licensee)).scalars().all(),
            db.session.execute(base.where(as_licensor)).scalars().all())


def may_apply(user, achievement, now):
    """Whether the achievement page should offer `user` the apply link (the command checks again)."""
    try:
        licences.check_applicant(db.session, user, achievement, now)
    except (Conflict, Forbidden, NotFound):
        return False
    return True


def terms_schema():
    """The App. H terms form of the newest licence process (its revision step's form), without the
    revision note: the apply page lays the terms out as the case will show them."""
    definition = definitions.latest(PROCESS_KEY)
    schema = dict(definitions.forms_by_id(definition.id).get(TERMS_FORM, {}))
    schema["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k != "opinion"}
    return schema


def new_licence_form(user, achievement_id, now):
    """(achievement, terms schema) of the apply page, if `user` may apply (else 403/404/409)."""
    achievement = db.session.get(Achievement, records.valid_id(achievement_id))
    if achievement is None:
        raise NotFound(_("Achievement %(id)s does not exist.", id=achievement_id))
    licences.check_applicant(db.session, user, achievement, now)
    return achievement, terms_schema()
