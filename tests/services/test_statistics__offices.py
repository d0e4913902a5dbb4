"""Office statistics: each office sees its own scope; counts, overdue work, step times and months."""
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.services.errors import Forbidden
from app.services.statistics import export
from app.services.statistics.offices import office_statistics
from app.services.workflow import cases, tasks


@pytest.fixture
def two_districts(user, open_task, application_form):
    """A tianhe case past its lead unit (now overdue at the district office) and a haizhu draft."""
    tianhe = cases.start_instance(user("applicant"), "consortium_application")
    tasks.complete(user("applicant"), open_task(tianhe).id, application_form("tianhe"))
    lead = open_task(tianhe)
    tasks.claim(user("leader"), lead.id)
    tasks.complete(user("leader"), lead.id, {"decision": "approve", "opinion": "同意"})
    office_task = open_task(tianhe)
    office_task.due_at = datetime.now(timezone.utc) - timedelta(hours=1)
    haizhu = cases.start_instance(user("applicant"), "consortium_application")
    tasks.complete(user("applicant"), open_task(haizhu).id, application_form("haizhu"))
    db.session.commit()
    return tianhe, haizhu


def test_a_district_office_sees_its_district_and_the_city_sees_all(app, user, two_districts):
    tianhe_office = office_statistics(user("district_tianhe"))
    assert [(step, n, late) for _p, step, n, late in tianhe_office.open_steps] == [("区办审核 District office review", 1, 1)]
    assert tianhe_office.districts == []                       # one district: nothing to choose
    city = office_statistics(user("city"))
    assert sum(n for _p, _s, n, _l in city.open_steps) == 2
    assert "haizhu" in city.districts
    assert sum(n for _p, _s, n, _l in office_statistics(user("city"), "haizhu").open_steps) == 1
    lead = {s.step: s for s in city.step_times}["牵头单位意见 Lead unit opinion"]
    assert lead.count == 1 and lead.p90_hours >= 0
    this_month = city.months[-1]
    assert this_month[1] == 2 and len(city.months) in (12, 13)
    with pytest.raises(Forbidden):
        office_statistics(user("district_tianhe"), "haizhu")
    with pytest.raises(Forbidden):
        office_statistics(user("applicant"))


def test_the_export_has_the_page_tables(app, user, two_districts):
    book = load_workbook(BytesIO(export.statistics_workbook(user("city"))))
    assert len(book.sheetnames) == 4
    rows = list(book.worksheets[1].values)                # open work: a header and one row per step
    assert len(rows) == 3 and sorted(r[2] for r in rows[1:]) == [1, 1] and sum(r[3] for r in rows[1:]) == 1
