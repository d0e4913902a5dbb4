"""One clock: the date filters cut days at local midnight (Asia/Shanghai), as case numbers count them."""
from datetime import datetime, timezone

from app import localtime
from app.extensions import db
from app.services.audit import search
from app.services.workflow import cases, tasks


def test_a_case_started_after_local_midnight_is_found_by_that_local_day(app, user, open_task, application_form):
    case = cases.start_instance(user("applicant"), "consortium_application")
    tasks.complete(user("applicant"), open_task(case).id, application_form("tianhe"))
    # 00:30 in Guangzhou on 5 November is still 4 November in UTC
    case.started_at = datetime(2026, 11, 4, 16, 30, tzinfo=timezone.utc)
    db.session.commit()
    found = search.search_cases(user("auditor"), search.CaseFilter(date_from="2026-11-05", date_to="2026-11-05"))
    assert [c.id for c in found.items] == [case.id]
    assert search.search_cases(user("auditor"), search.CaseFilter(date_to="2026-11-04")).items == []
    assert localtime.iso(case.started_at).startswith("2026-11-05T00:30:00")


def test_the_zone_is_a_setting_and_a_wrong_name_is_refused(app):
    import pytest
    with pytest.raises(ValueError, match="CHAINQ_TIMEZONE"):
        localtime.zone_named("Mars/Olympus")
    app.config["TIMEZONE"] = "UTC"
    try:
        assert localtime.day_start(datetime(2026, 11, 5).date()) == datetime(2026, 11, 5, tzinfo=timezone.utc)
    finally:
        app.config["TIMEZONE"] = "Asia/Shanghai"
