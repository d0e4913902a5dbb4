"""Who sees which projects: one rule, as a SQL condition that every read path adds to its query
(list, detail, export, versions, diff, reports, alerts, API), as for problems
(app/services/registries/problems/visibility.py):

- the city office, the managing body, auditors and administrators: every project;
- a district office: the projects of the consortia of its district;
- a member of a consortium (a user whose unit's unified social credit code is the consortium's
  lead unit or one of its member units): that consortium's projects;
- anyone else: none.

The risk dashboard (every chain's open alerts) is for those who oversee the programme: the
managing body and the city office.
"""
from sqlalchemy import false, or_, select, true

from ....models import BreakthroughProject, Consortium, ConsortiumMember
from ...identity.permissions import ADMINS, AUDITORS, CITY_OFFICE, MANAGING_BODY, districts_of

READ_ALL = frozenset({ADMINS, AUDITORS, CITY_OFFICE, MANAGING_BODY})
DASHBOARD_READERS = frozenset({CITY_OFFICE, MANAGING_BODY})


def sees_all(user):
    return user is not None and bool(READ_ALL & user.group_keys)


def may_see_risk_dashboard(user):
    return user is not None and bool(DASHBOARD_READERS & user.group_keys)


def project_visible_to(user):
    """A condition on BreakthroughProject: true for the projects `user` may see."""
    if user is None:
        return false()
    if sees_all(user):
        return true()
    conditions = []
    districts = districts_of(user)
    if districts:
        conditions.append(BreakthroughProject.consortium_id.in_(
            select(Consortium.id).where(Consortium.district.in_(sorted(districts)))))
    code = user.unit.credit_code if user.unit is not None else None
    if code:
        conditions.append(BreakthroughProject.consortium_id.in_(
            select(Consortium.id).where(Consortium.lead_unit_credit_code == code)
            .union(select(ConsortiumMember.consortium_id).where(ConsortiumMember.credit_code == code))))
    return or_(*conditions) if conditions else false()
