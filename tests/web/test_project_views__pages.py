"""The project pages as their readers see them: the list's filters, the detail's task book, diff,
chart data and milestone timeline, the risk dashboard and who may open it, in both languages."""
import html
import json
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.project_support import world as build_world


@pytest.fixture
def world(app):
    return build_world()


def _text(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _numbers(text):
    return set(re.findall(r"GZ-XM-[A-Z]+-\d{4}-\d{3}", text))


@pytest.mark.parametrize("query, expected", [
    ("", {"A", "B"}), ("chain=IEQ", {"A"}), ("chain=NEV", {"B"}), ("chain=BIO", set()),
    ("direction=supply_chain", {"B"}), ("status=executing", {"A"}), ("status=task_book", {"B"}),
    ("risk=high", {"A"}), ("risk=none", {"B"}), ("risk=low", set()),
    ("unit=智能装备", {"A"}), ("unit=%25", set()), ("chain=IEQ&status=task_book", set()),
])
def test_the_list_filters(browser, world, query, expected):
    text = _text(browser("manager").get(f"/projects?{query}"))
    table = text[text.index('id="projects-table"'):]
    assert _numbers(table) == {world[name][1] for name in expected}


def test_the_list_shows_the_app_e_columns_and_a_risk_badge(browser, world):
    text = _text(browser("manager").get("/projects?chain=IEQ"))
    for shown in ("GZ-IEQ-2026-0001", "柔轮早期断裂", "广州智能装备集团有限公司", "广州市质量检测研究院",
                  "寿命提升至先进水平。", "Design and development quality", "Executing", "risk-high", "v2"):
        assert shown in text, shown


def test_a_bad_filter_is_refused_with_its_name(browser, world):
    response = browser("manager").get("/projects?risk=extreme")
    assert response.status_code == 422 and "risk" in response.get_data(as_text=True)


def test_the_export_follows_the_filter(browser, world):
    response = browser("manager").get("/projects/export.xlsx?chain=NEV")
    rows = list(load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Number", "Project name", "Problems addressed")
    assert [row[0] for row in rows[1:]] == [world["B"][1]]


def test_the_detail_shows_the_task_book_in_force_in_the_app_f_layout(browser, world):
    text = _text(browser("leader").get(f"/projects/{world['A'][0]}"))
    book = text[text.index('id="task-book"'):text.index('id="task-book-versions"')]
    assert "王工" in book and "陈工" in book                # v2's leader; the organisation table keeps 陈工
    assert re.search(r"T1</td><td>柔轮疲劳寿命</td><td>60</td><td>110</td><td>万次", book)
    assert "92 %" in book and "98 %" in book and "高寿命谐波减速器生产线" in book
    assert 'id="budget-total">120<' in book                 # v2 dropped the 30.5 row
    assert "7. Signatures" in book and "2026-01-10 10:00" in book   # v1's signature, in Shanghai time
    assert 'href="/problems/' in text and "GZ-IEQ-2026-0001" in text


def test_the_detail_shows_the_diff_of_the_last_two_versions(browser, world):
    text = _text(browser("leader").get(f"/projects/{world['A'][0]}"))
    diff = text[text.index('id="task-book-diff"'):]
    assert "Changes from version 1 to version 2" in diff
    assert 'data-path="leader"' in diff and "<del>陈工</del>" in diff and "<ins>王工</ins>" in diff
    assert re.search(r'data-path="targets.T1".*?<del>100</del>.*?<ins>110</ins>', diff, re.S)
    assert 'class="diff-added" data-path="milestones.M4"' in diff
    assert 'class="diff-removed" data-path="budget.2"' in diff
    assert "#1 Goal、Person in charge" in text             # the change request that produced v2


def test_any_two_versions_may_be_compared(browser, world):
    client = browser("leader")
    same = _text(client.get(f"/projects/{world['A'][0]}?from=2&to=2"))
    assert "The two versions are the same." in same
    backwards = _text(client.get(f"/projects/{world['A'][0]}?from=2&to=1"))
    assert "<del>王工</del>" in backwards and 'class="diff-removed" data-path="milestones.M4"' in backwards
    assert client.get(f"/projects/{world['A'][0]}?from=1&to=7").status_code == 404


def test_the_charts_get_each_target_against_its_trajectory(browser, world):
    text = _text(browser("leader").get(f"/projects/{world['A'][0]}"))
    charts = {m.group(1): json.loads(html.unescape(m.group(2)))
              for m in re.finditer(r'id="chart-(T\d)" data-series="([^"]*)"', text)}
    assert set(charts) == {"T1", "T2", "T3"}
    t1 = charts["T1"]
    assert t1["quarters"][0] == "2026Q1" and t1["quarters"][-1] == "2027Q4" and len(t1["quarters"]) == 8
    assert t1["reported"][:3] == [65.0, 70.0, None]
    assert t1["expected"][-1] == 110.0 and 60 < t1["expected"][0] < t1["expected"][1]
    assert charts["T3"]["reported"][1] == 1.0 and charts["T3"]["expected"][-1] == 5.0
    assert "echarts/echarts.common.min.js" in text and "project_charts.js" in text
    assert "<script>" not in text                          # the CSP allows no inline script


def test_echarts_is_loaded_only_where_there_is_a_chart(browser, world):
    assert "echarts" not in _text(browser("leader2").get(f"/projects/{world['B'][0]}"))
    assert "echarts" not in _text(browser("manager").get("/projects"))


def test_the_milestone_timeline_marks_done_and_overdue(browser, world):
    text = _text(browser("leader").get(f"/projects/{world['A'][0]}"))
    timeline = text[text.index('id="milestone-timeline"'):text.index('id="project-reports"')]
    keys = re.findall(r'<li class="(\w+)" data-key="(M\d)"', timeline)
    assert keys[0] == ("done", "M1") and ("overdue", "M2") in keys
    assert "reported in 2026Q2" in timeline and "2026-07-03 10:00" in timeline


def test_the_detail_lists_reports_checks_changes_and_alerts_with_their_history(browser, world):
    text = _text(browser("leader").get(f"/projects/{world['A'][0]}"))
    assert "2026Q1" in text and "材料选型完成。" in text
    assert "Mid-term check" in text and "Rectification needed" in text and "2027-02-28" in text
    open_alerts = text[text.index('id="alerts-open"'):text.index('id="alerts-closed"')]
    closed = text[text.index('id="alerts-closed"'):]
    assert "Milestone overdue" in open_alerts and "2026-10-01 09:00" in open_alerts
    assert "Quarterly report missing" in closed and "Closed: 报告已提交" in closed


def test_the_write_buttons_are_not_offered_before_they_are_built(browser, world):
    text = _text(browser("leader").get(f"/projects/{world['A'][0]}"))
    assert 'id="request-change"' not in text and 'id="report-risk"' not in text


def test_the_pages_are_chinese_by_default(browser, world):
    client = browser("leader", lang=None)
    text = _text(client.get(f"/projects/{world['A'][0]}"))
    for word in ("一、项目基本信息", "七、签署页", "版本历史", "指标进展", "里程碑", "已超期",
                 "风险预警", "技术指标", "质量指标", "产业应用目标"):
        assert word in text, word
    assert "Basic information" not in text
    assert "攻关库" in _text(client.get("/projects"))


@pytest.mark.parametrize("who, status", [
    ("manager", 200), ("city", 200), ("admin", 403), ("auditor", 403), ("leader", 403),
    ("district_huangpu", 403), ("expert1", 403), (None, 302),
])
def test_who_may_open_the_risk_dashboard(browser, world, who, status):
    client = browser(who) if who else browser(None)
    assert client.get("/projects/risks").status_code == status
    menu = client.get("/projects").get_data(as_text=True) if who else ""
    assert ('id="nav-risks"' in menu) == (status == 200)


def test_the_risk_dashboard(browser, world):
    client = browser("city")
    text = _text(client.get("/projects/risks"))
    counts = text[text.index('id="risk-counts"'):text.index('id="risk-behind"')]
    assert re.search(r'data-chain="IEQ"><td>Intelligent equipment</td><td class="num">1</td>'
                     r'<td class="num">0</td><td class="num">0</td><td class="num">1</td>', counts)
    behind = text[text.index('id="risk-behind"'):text.index('id="risk-alerts"')]
    assert world["A"][1] in behind and "Milestone overdue" in behind
    alerts = text[text.index('id="risk-alerts"'):]
    assert world["A"][1] in alerts and "2026-10-01 09:00" in alerts and "2026Q1季度报告" not in alerts  # closed
    other_chain = _text(client.get("/projects/risks?chain=NEV"))
    assert world["A"][1] not in other_chain and "No open alert." in other_chain
    assert client.get("/projects/risks?chain=XX").status_code == 422
