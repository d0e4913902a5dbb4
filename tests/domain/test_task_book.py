"""The task book document (App. F): keys kept across versions, checks, the diff, the trajectory."""
from datetime import date
from decimal import Decimal

from app.domain import task_book

BOOK = {"name": "攻关", "leader": "张伟", "period_start": "2027-01-01", "period_end": "2027-12-31",
        "research_content": "内容", "technical_route": "路线",
        "targets": [{"kind": "quality", "name": "合格率", "baseline": "90", "target": "98"}],
        "organisation": [{"unit": "甲", "person": "张伟", "task": "总体"}],
        "milestones": [{"name": "一", "due": "2027-06-30"}, {"name": "二", "due": "2027-12-31"}],
        "budget": []}


def test_rows_get_keys_that_stay_from_version_to_version():
    first = task_book.normalise(BOOK)
    assert [m["key"] for m in first["milestones"]] == ["M1", "M2"] and task_book.check(first) == {}
    changed = dict(first, milestones=[first["milestones"][1], {"name": "三", "due": "2027-09-30"}])
    second = task_book.normalise(changed, previous=first)
    assert [m["key"] for m in second["milestones"]] == ["M2", "M3"]        # M1 is not given out again
    assert [(c.path, c.kind) for c in task_book.diff(first, second)] == [("milestones.M1", "removed"),
                                                                          ("milestones.M3", "added")]


def test_checks_name_the_field():
    bad = task_book.normalise(dict(BOOK, period_end="2026-01-01", milestones=[{"name": "", "due": "2030-01-01"}]))
    errors = task_book.check(bad)
    assert errors["period_end"] == ["the period must end after it starts"]
    assert errors["milestones.0.name"] == ["required"]


def test_lag_is_measured_against_the_straight_line_from_baseline_to_target():
    target = {"kind": "quality", "baseline": "90", "target": "98"}
    start, end = date(2027, 1, 1), date(2027, 12, 31)
    middle = task_book.midpoint(BOOK)
    assert middle == date(2027, 7, 2)
    assert task_book.expected_value(target, start, end, middle) == Decimal(94)
    assert task_book.lag_percent(target, "92", start, end, middle) == Decimal("50.0")
    assert task_book.lag_percent(target, "95", start, end, middle) == Decimal("0")
    assert task_book.lag_percent(target, "x", start, end, middle) is None


def test_quarters():
    assert task_book.quarter_of(date(2027, 5, 1)) == "2027Q2"
    assert task_book.quarter_end("2027Q4") == date(2027, 12, 31)
