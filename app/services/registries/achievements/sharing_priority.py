"""The contributor's priority from paid sharing (standard 5.6.3: paid-sharing income goes mainly to
the contributor, who gains priority when applying for new projects or standard-setting).

One rule, asked by the project pages: a unit has the priority when, as the licensor (the
contributor of the achievement), it holds a licence agreement in force, or has revenue recorded
under any of its licences.
"""
from sqlalchemy import exists, or_, select

from ....models import Achievement, LicenceAgreement, LicenceRevenue
from ....models.states import LicenceStatus


def has_sharing_priority(session, credit_code) -> bool:
    """Whether the unit with this unified social credit code has the 5.6.3 priority."""
    code = str(credit_code or "").strip()
    if not code:
        return False
    own = select(LicenceAgreement.id).join(Achievement, Achievement.id == LicenceAgreement.achievement_id) \
        .where(Achievement.contributor_credit_code == code)
    earned = exists(select(LicenceRevenue.id).where(LicenceRevenue.licence_id == LicenceAgreement.id))
    found = session.execute(own.where(or_(LicenceAgreement.status == LicenceStatus.IN_FORCE, earned)).limit(1))
    return found.first() is not None
