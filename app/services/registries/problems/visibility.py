"""Who sees which problems: one rule, as a SQL condition that every read path adds to its query
(list, detail, export, API, the attachments of a problem's report case).

- the city office, the managing body, auditors and administrators: every problem;
- a district office: the problems of the consortia of its district;
- a member of a consortium (a user whose unit's unified social credit code is the consortium's
  lead unit or one of its member units): that consortium's problems;
- anyone else (an expert outside any consortium, a user with no unit, nobody logged in): none.

Problems belong to a consortium (the library is one of its three, 一体一图三库), so the rule
has no case for a problem without one.
"""
from sqlalchemy import false, or_, select, true

from ....models import Consortium, ConsortiumMember, QualityProblem
from ...identity.permissions import ADMINS, AUDITORS, CITY_OFFICE, MANAGING_BODY, districts_of

READ_ALL = frozenset({ADMINS, AUDITORS, CITY_OFFICE, MANAGING_BODY})


def sees_all(user):
    return user is not None and bool(READ_ALL & user.group_keys)


def problem_visible_to(user):
    """A condition on QualityProblem: true for the problems `user` may see."""
    if user is None:
        return false()
    if sees_all(user):
        return true()
    conditions = []
    districts = districts_of(user)
    if districts:
        conditions.append(QualityProblem.consortium_id.in_(
            select(Consortium.id).where(Consortium.district.in_(sorted(districts)))))
    code = user.unit.credit_code if user.unit is not None else None
    if code:
        conditions.append(QualityProblem.consortium_id.in_(
            select(Consortium.id).where(Consortium.lead_unit_credit_code == code)
            .union(select(ConsortiumMember.consortium_id).where(ConsortiumMember.credit_code == code))))
    return or_(*conditions) if conditions else false()
