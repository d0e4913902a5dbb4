"""Who holds access to an achievement under a grant or a licence in force, for the delisting
review (the managing body sees what delisting ends) and for telling them when it is delisted."""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from .... import localtime
from ....models import AccessGrant, LicenceAgreement, User
from ....models.states import GrantStatus, LicenceStatus
from ...notify import notifications


def _grants(session, achievement_id, now):
    return session.execute(select(AccessGrant, User).join(User, User.id == AccessGrant.requester_id).where(
        AccessGrant.achievement_id == achievement_id, AccessGrant.status == GrantStatus.GRANTED,
        AccessGrant.valid_until > now).order_by(AccessGrant.id)).all()


def _licences(session, achievement_id):
    return session.execute(select(LicenceAgreement).where(
        LicenceAgreement.achievement_id == achievement_id, LicenceAgreement.status == LicenceStatus.IN_FORCE)
        .order_by(LicenceAgreement.id)).scalars().all()


def in_force_summary(session, achievement_id, now: datetime):
    """One line per grant and licence in force, in the reader's words (the review form shows it)."""
    lines = [_("Directed grant to %(name)s until %(day)s", name=holder.display_name,
               day=localtime.local(grant.valid_until).date().isoformat())
             for grant, holder in _grants(session, achievement_id, now)]
    lines += [_("Licence %(number)s (%(licensee)s), %(start)s to %(end)s", number=licence.number,
                licensee=licence.licensee_name, start=licence.term_from.isoformat(), end=licence.term_to.isoformat())
              for licence in _licences(session, achievement_id)]
    return "\n".join(lines) if lines else _("None")


def tell_of_delisting(ctx, achievement, instance=None):
    """Grant holders and licensees in force hear that the achievement left the library (their
    access ends with it; the licence's record and its own term stay)."""
    users = [grant.requester_id for grant, _holder in _grants(ctx.session, achievement.id, ctx.now)]
    users += [licence.applicant_id for licence in _licences(ctx.session, achievement.id)]
    notifications.notify(ctx, users, "achievement", notifications.said(
        "%(number)s %(name)s was withdrawn from the achievement library: %(reason)s", number=achievement.number,
        name=achievement.name, reason=achievement.delist_reason), instance.id if instance is not None else None)
