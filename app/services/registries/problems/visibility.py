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
from ....models import QualityProblem
from ..consortium import in_readable_consortium


def problem_visible_to(user):
    """A condition on QualityProblem: true for the problems `user` may see."""
    return in_readable_consortium(user, QualityProblem.consortium_id)
