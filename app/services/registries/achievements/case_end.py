"""The achievement library when a case ends before its end event (the hooks in workflow/handlers.py):
an administrator terminated it, or its initiator cancelled (撤销) it.

`close` runs inside the ending command, under the case's row lock, so the records end with the case
or not at all. What the case was still deciding is withdrawn: a directed sharing request waiting for
the contributor, a licence application not yet in force, an achievement under review. What it had
decided stays: a granted period and a licence in force keep their end (the read rule, access.py,
ends them; with the case gone no step records the expiry), a published achievement stays published.

`refusal` says why the initiator may no longer cancel: once one of these records is decided, the
case is no longer an undecided application (an administrator may still terminate it).
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ....models import Achievement, LicenceAgreement
from ....models.states import AchievementStatus, GrantStatus, LicenceStatus
from . import admission, licences, sharing


def refusal(session, instance):
    """Why the initiator may not cancel `instance` because of its library records (a message), or None."""
    grant = sharing.waiting_grant(session, instance)
    if grant is not None and grant.status != GrantStatus.REQUESTED:
        return _("The contributor has answered this sharing request already; it can no longer be cancelled.")
    licence = session.execute(select(LicenceAgreement).where(
        LicenceAgreement.instance_id == instance.id)).scalar_one_or_none()
    if licence is not None and licence.status not in (LicenceStatus.APPLIED, LicenceStatus.ACCEPTED):
        return _("Licence agreement %(number)s has been decided; the application can no longer be cancelled.",
                 number=licence.number)
    achievement = session.execute(select(Achievement).where(
        Achievement.instance_id == instance.id)).scalar_one_or_none()
    if achievement is not None and achievement.status != AchievementStatus.UNDER_REVIEW:
        return _("Achievement %(number)s has been decided; its application can no longer be cancelled.",
                 number=achievement.number)
    return None


def close(ctx, instance, reason):
    """Withdraw what `instance` was still deciding (inside the command that ends it)."""
    sharing.withdraw(ctx, instance, reason)
    licences.withdraw(ctx, instance, reason)
    admission.withdraw(ctx, instance, reason)
