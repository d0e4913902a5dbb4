"""The project page's progress data, from task book documents and report rows (no database):
the quarters of a period, each target's trajectory against what was reported, the milestone
timeline, the budget total."""
from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace

from app.services.registries.projects.detail import budget_total
from app.services.registries.projects.progress import milestone_timeline, quarters, target_series

BOOK = {
    "period_start": "2026-02-15", "period_end": "2026-12-31",
    "targets": [{"key": "T1", "kind": "quality", "name": "缺陷率", "baseline": "3.2", "target": "1.2"},
                {"key": "T2", "kind": "application", "product": "示范线", "target": "4"}],
    "milestones": [{"key": "M2", "name": "样件", "due": "2026-09-30"}, {"key": "M1", "name": "选型", "due": "2026-05-31"}],
    "budget": [{"item": "材料", "amount": "10.25"}, {"item": "测试", "amount": "x"}, {"item": "差旅", "amount": "4.75"}],
}


def report(period, targets=(), milestones=(), at="2026-07-02T01:00:00"):
    return SimpleNamespace(period=period, targets=list(targets), milestones=list(milestones),
                           submitted_at=datetime.fromisoformat(at).replace(tzinfo=timezone.utc))


def test_quarters_cover_the_period_across_years():
    assert quarters(date(2026, 11, 30), date(2027, 4, 1)) == ["2026Q4", "2027Q1", "2027Q2"]
    assert quarters(date(2026, 1, 1), date(2026, 3, 31)) == ["2026Q1"]


def test_a_target_that_lowers_a_value_falls_along_its_trajectory():
    series = target_series(BOOK, [report("2026Q2", [{"key": "T1", "value": "2.9"}, {"key": "T2", "value": "bad"}])])
    t1, t2 = series
    assert t1["quarters"] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert t1["expected"][0] > t1["expected"][1] > t1["expected"][2] > t1["expected"][3] == 1.2
    assert t1["reported"] == [None, 2.9, None, None]
    assert t2["name"] == "示范线" and t2["expected"][-1] == 4.0 and t2["reported"] == [None, None, None, None]


def test_no_chart_without_a_valid_period():
    assert target_series({**BOOK, "period_end": "2026-01-01"}, []) == []
    assert target_series({}, []) == []


def test_the_timeline_is_in_planned_order_with_done_and_overdue():
    reports = [report("2026Q2", milestones=[{"key": "M1", "done": True, "note": "完成"}]),
               report("2026Q3", milestones=[{"key": "M1", "done": True}, {"key": "M2", "done": False, "note": "延迟"}],
                      at="2026-10-05T01:00:00")]
    m1, m2 = milestone_timeline(BOOK, reports, date(2026, 10, 1))
    assert (m1.key, m1.done, m1.done_period, m1.overdue) == ("M1", True, "2026Q2", False)
    assert m1.done_at == datetime(2026, 7, 2, 1, tzinfo=timezone.utc)
    assert (m2.key, m2.done, m2.overdue, m2.note) == ("M2", False, True, "延迟")
    assert not milestone_timeline(BOOK, [], date(2026, 9, 30))[1].overdue     # due today: not yet late


def test_the_budget_total_is_exact_and_skips_what_is_no_number():
    assert budget_total(BOOK) == Decimal("15.00")
    assert budget_total({}) == 0
