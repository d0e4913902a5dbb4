"""The service tasks of bpmn/licence_agreement.bpmn: what the licence case does to the library.

Each runs inside the command of the step that reached it (`command.active()`): the applicant's
`apply_for_licence` for the first, the completing user's task command for the others, the timer's
command for the expiry. Each returns JSON values merged into the case data.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ....models import User
from ...command import active
from ...errors import Forbidden
from . import licence_terms, licences


def _opinion(data):
    return str(data.get("opinion") or "")


def _terms(licence):
    return {**licence_terms.as_data(licence), "licence_status": licence.status}


def record(instance, data):
    """Topic `licence_record`: the application enters the library (conflict check first)."""
    ctx = active()
    applicant = ctx.session.execute(select(User).where(User.username == str(data.get("initiator") or ""))) \
        .scalar_one_or_none()
    if applicant is None:
        raise Forbidden(_("Log in to apply for a licence."))
    licence = licences.record_application(ctx, instance, data.get("achievement_id"), applicant, data)
    achievement = licence.achievement
    return {**_terms(licence), "licence_id": licence.id, "licence_number": licence.number,
            "licence_subject": f"{licence.number} {achievement.name}"[:300],
            "achievement_number": achievement.number, "achievement_name": achievement.name,
            "licensor_name": licence.licensor_name, "licensee_name": licence.licensee_name,
            "licensor_users": licences.licensor_users(ctx.session, achievement)}


def revise(instance, data):
    """Topic `licence_revise`: the licensee's revised terms (conflict check again)."""
    return _terms(licences.revise(active(), instance, data))


def accept(instance, data):
    """Topic `licence_accept`: the contributor accepted; the text to confirm and its SHA-256."""
    licence = licences.accept(active(), instance, _opinion(data))
    return {"licence_status": licence.status, "agreement_sha256": licence.text_sha256}


def confirm_licensee(instance, data):
    """Topic `licence_confirm_licensee`."""
    licence = licences.confirm(active(), instance, licences.LICENSEE, data.get("agreement_sha256"))
    return {"licensee_confirmed_sha256": licence.text_sha256}


def confirm_licensor(instance, data):
    """Topic `licence_confirm_licensor`."""
    licence = licences.confirm(active(), instance, licences.LICENSOR, data.get("agreement_sha256"))
    return {"licensor_confirmed_sha256": licence.text_sha256}


def register(instance, data):
    """Topic `licence_register`: in force; the moment the case's timer ends it."""
    licence = licences.register(active(), instance, _opinion(data))
    return {"licence_status": licence.status, "licence_expires_at": licences.expires_at(licence).isoformat()}


def refuse(instance, data):
    """Topic `licence_refuse`."""
    return {"licence_status": licences.refuse(active(), instance, _opinion(data)).status}


def expire(instance, data):
    """Topic `licence_expire`."""
    return {"licence_status": licences.expire(active(), instance).status}
