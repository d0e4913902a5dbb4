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
from ....models import BreakthroughProject
from ...identity.permissions import CITY_OFFICE, MANAGING_BODY
from ..consortium import in_readable_consortium

DASHBOARD_READERS = frozenset({CITY_OFFICE, MANAGING_BODY})


def may_see_risk_dashboard(user):
    return user is not None and bool(DASHBOARD_READERS & user.group_keys)


def project_visible_to(user):
    """A condition on BreakthroughProject: true for the projects `user` may see."""
    return in_readable_consortium(user, BreakthroughProject.consortium_id)
