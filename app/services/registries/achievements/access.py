"""Who may read an achievement: the one rule every read path asks (list, detail, attachment
download, API, search, exports, OCEL), as a SQL condition (`readable_by`) and, for one record,
`may_read`, which runs the same condition.

Reading means the whole record: summary, indicators, scenarios, rights, contact, proof files.

- A **published** achievement, by its share level (5.6.2):
  - public (公开): anyone, anonymous visitors included;
  - consortium (联合体内部): the users of the contributor's consortium's units (lead or member);
  - directed (定向): requesters holding a grant in force (granted, `valid_from` ≤ now < `valid_until`:
    access ends at expiry even before the scheduler marks the grant expired);
  - paid (有偿): the licensee (its unit, or the user who applied) under a licence in force
    (`in_force`, today within its term).
- The contributor (its unit's users) always reads its own, except once delisted.
- The managing body, the city office, auditors and administrators read every achievement that is
  not delisted; a **delisted** one only the managing body and auditors read (5.6.4).
- Nobody else reads one under review or rejected.

The catalogue (`listed_for`) shows a little more than this: a logged-in user also sees the card
(number, name, type, contributor, chain, share level and conditions) of a published directed or
paid achievement, because one must find it to ask for it or to apply for a licence. Exports and the
OCEL log use `readable_by`, never the catalogue rule.
"""
from datetime import datetime

from sqlalchemy import and_, or_, select, true

from .... import localtime
from ....models import AccessGrant, Achievement, LicenceAgreement
from ....models.states import AchievementStatus, GrantStatus, LicenceStatus, ShareLevel
from ...identity.permissions import ADMINS, AUDITORS, CITY_OFFICE, MANAGING_BODY
from ..consortium import consortium_ids_of_unit
from .records import contributed_by, unit_code

OVERSEERS = frozenset({MANAGING_BODY, CITY_OFFICE, AUDITORS, ADMINS})
DELISTED_READERS = frozenset({MANAGING_BODY, AUDITORS})
CARD_LEVELS = (ShareLevel.DIRECTED, ShareLevel.PAID)


def _published(level):
    return and_(Achievement.status == AchievementStatus.PUBLISHED, Achievement.share_level == level)


def _granted(user, now: datetime):
    grants = select(AccessGrant.achievement_id).where(
        AccessGrant.requester_id == user.id, AccessGrant.status == GrantStatus.GRANTED,
        AccessGrant.valid_from <= now, AccessGrant.valid_until > now)
    return and_(_published(ShareLevel.DIRECTED), Achievement.id.in_(grants))


def _licensed(user, now: datetime):
    today = localtime.today(now)
    code = unit_code(user)
    licensee = LicenceAgreement.applicant_id == user.id
    if code:
        licensee = or_(licensee, LicenceAgreement.licensee_credit_code == code)
    licences = select(LicenceAgreement.achievement_id).where(
        licensee, LicenceAgreement.status == LicenceStatus.IN_FORCE,
        LicenceAgreement.term_from <= today, LicenceAgreement.term_to >= today)
    return and_(_published(ShareLevel.PAID), Achievement.id.in_(licences))


def _own(user):
    return and_(contributed_by(user), Achievement.status != AchievementStatus.DELISTED)


def readable_by(user, now: datetime):
    """A condition on Achievement: true for the achievements `user` (None: anonymous) may read at `now`."""
    public = _published(ShareLevel.PUBLIC)
    if user is None:
        return public
    groups = user.group_keys
    if DELISTED_READERS & groups:
        return true()
    if OVERSEERS & groups:
        return Achievement.status != AchievementStatus.DELISTED
    conditions = [public, _own(user), _granted(user, now), _licensed(user, now)]
    consortia = consortium_ids_of_unit(unit_code(user))
    if consortia is not None:
        conditions.append(and_(_published(ShareLevel.CONSORTIUM), Achievement.consortium_id.in_(consortia)))
    return or_(*conditions)


def listed_for(user, now: datetime):
    """A condition on Achievement: the catalogue `user` sees (readable, plus the cards of published
    directed and paid achievements for a logged-in user)."""
    if user is None:
        return readable_by(None, now)
    cards = and_(Achievement.status == AchievementStatus.PUBLISHED, Achievement.share_level.in_(CARD_LEVELS))
    return or_(readable_by(user, now), cards)


def may_read(session, user, achievement_id: int, now: datetime) -> bool:
    """Whether `user` may read the achievement: the same condition, asked of one row."""
    return session.execute(select(Achievement.id).where(
        Achievement.id == achievement_id, readable_by(user, now)).limit(1)).first() is not None


def unreadable_cases(user, now: datetime):
    """A select of the ids of the cases that carry an achievement `user` may not read (its
    admission, its sharing requests, its licences): audit search and exports leave them out."""
    hidden = select(Achievement.id).where(~readable_by(user, now))
    return select(Achievement.instance_id).where(Achievement.id.in_(hidden), Achievement.instance_id.is_not(None)) \
        .union(select(AccessGrant.instance_id).where(AccessGrant.achievement_id.in_(hidden),
                                                     AccessGrant.instance_id.is_not(None)),
               select(LicenceAgreement.instance_id).where(LicenceAgreement.achievement_id.in_(hidden),
                                                          LicenceAgreement.instance_id.is_not(None)))
