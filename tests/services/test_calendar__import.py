"""Importing a year's holidays: every line checked and named when wrong, all imported or none,
the same list imported twice changing nothing."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Holiday
from app.services.errors import Forbidden, ValidationFailed
from app.services.workflow import calendar

YEAR_2027 = """日期,名称,类型
2027-01-01,元旦,holiday
2027-02-06,春节,holiday
2027-02-07,调休上班,workday
"""


def stored():
    return {(h.day, h.name, h.working) for h in db.session.execute(select(Holiday)).scalars()}


def imports():
    return [e.data for e in db.session.execute(select(AuditEvent).where(AuditEvent.type == "holidays_imported"))
            .scalars()]


def test_lines_pasted_with_spaces_or_as_csv_are_read_alike():
    pasted, errors = calendar.parse_holidays("2027-01-01 元旦\n\n# 春节\n2027-02-07 调休上班\n2027/02/06\t春节", 2027)
    assert errors == {}
    assert [(e.line, e.day, e.name, e.working) for e in pasted] == [
        (1, "2027-01-01", "元旦", False), (4, "2027-02-07", "调休上班", True), (5, "2027-02-06", "春节", False)]
    csv, errors = calendar.parse_holidays(YEAR_2027, 2027)
    assert errors == {} and [e.working for e in csv] == [False, False, True]


def test_each_wrong_line_is_named():
    _entries, errors = calendar.parse_holidays(
        "2027-01-01 元旦\n2027-13-01 bad\n2026-12-31 跨年\n2027-01-01 again\n2027-02-08,补班,workday\n"
        "2027-02-06,春节,maybe", 2027)
    assert sorted(errors) == ["lines.2", "lines.3", "lines.4", "lines.5", "lines.6"]
    assert errors["lines.4"] == ["Line 4: 2027-01-01 is listed already on line 1."]
    assert "weekday" in errors["lines.5"][0] and "2027" in errors["lines.3"][0]
    assert calendar.parse_holidays("", 2027)[1] == {"text": ["No dates were given."]}


def test_an_import_is_all_or_nothing_and_idempotent(app, user):
    admin = user("admin")
    with pytest.raises(ValidationFailed) as refused:
        calendar.import_holidays(admin, YEAR_2027 + "2027-02-30,不存在,holiday\n", 2027)
    assert list(refused.value.errors) == ["lines.5"]
    assert stored() == set() and imports() == []
    added, changed = calendar.import_holidays(admin, YEAR_2027, 2027)
    assert (len(added), changed) == (3, [])
    assert calendar.is_working_day(calendar.date(2027, 2, 7)) and not calendar.is_working_day(calendar.date(2027, 1, 1))
    assert calendar.import_holidays(admin, YEAR_2027, 2027) == ([], [])
    assert calendar.import_holidays(admin, "2027-01-01 元旦节", 2027) == ([], ["2027-01-01"])
    assert [len(e["added"]) for e in imports()] == [3, 0]
    assert ("2027-01-01", "元旦节", False) in stored()


def test_only_administrators_import(app, user):
    with pytest.raises(Forbidden):
        calendar.import_holidays(user("city"), YEAR_2027, 2027)
    assert stored() == set()
