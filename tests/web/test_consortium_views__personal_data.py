"""A consortium's public part is for every logged-in user; its contacts and phone numbers (personal
data) only for its own members, its district office, the city office, auditors and administrators."""
import pytest

from app.domain.credit_code import make_credit_code
from tests.problem_support import A, make_consortium

PHONE = "13900139000"     # a member's contact phone (problem_support.make_consortium)


@pytest.mark.parametrize("username, sees", [
    ("applicant", True),           # its lead unit
    ("leader", True),              # the lead unit's leader
    ("district_huangpu", True),    # its district office
    ("city", True), ("auditor", True), ("admin", True),
    ("applicant2", False),         # another consortium's company
    ("district_panyu", False),     # another district
    ("expert1", False),
])
def test_contacts_only_for_those_who_work_with_them(app, browser, username, sees):
    consortium = make_consortium(A, members=[("广州某成员有限公司", make_credit_code("9144010176543210"))])
    page = browser(username).get(f"/consortia/{consortium.id}").get_data(as_text=True)
    assert consortium.name in page and "广州某成员有限公司" in page       # the public part, for all
    assert (PHONE in page) is sees and (consortium.mobile in page) is sees
