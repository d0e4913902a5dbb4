"""The project library's API: filters and paging, the task book in force, versions, the diff
between two versions, reports, alerts and the risk dashboard (bearer tokens)."""
import pytest

from tests.api.conftest import assert_error_shape
from tests.project_support import world as build_world


@pytest.fixture
def world(app):
    return build_world()


def _get(client, auth, who, path):
    return client.get(path, headers=auth(who))


@pytest.mark.parametrize("query, expected", [
    ("", {"A", "B"}), ("chain=NEV", {"B"}), ("direction=design", {"A"}), ("status=executing", {"A"}),
    ("risk=high", {"A"}), ("risk=none", {"B"}), ("unit=新能源", {"B"}), ("per_page=1&page=2&sort=number", {"B"}),
])
def test_list_filters(client, auth, world, query, expected):
    body = _get(client, auth, "city", f"/api/v1/projects?{query}").get_json()
    assert {item["number"] for item in body["items"]} == {world[name][1] for name in expected}


@pytest.mark.parametrize("query", ["chain=XX", "risk=extreme", "sort=budget", "per_page=1000"])
def test_bad_filters_are_422(client, auth, world, query):
    assert_error_shape(_get(client, auth, "city", f"/api/v1/projects?{query}"), 422)


def test_detail_carries_the_task_book_in_force(client, auth, world):
    body = _get(client, auth, "leader", f"/api/v1/projects/{world['A'][0]}").get_json()
    assert body["task_book_version"] == 2 and body["task_book"]["version"] == 2
    assert body["task_book"]["content"]["leader"] == "王工"
    assert [p["number"] for p in body["problems"]] == ["GZ-IEQ-2026-0001"]
    assert _get(client, auth, "leader2", f"/api/v1/projects/{world['B'][0]}").get_json()["task_book"] is None


def test_versions_name_the_change_request_that_made_them(client, auth, world):
    body = _get(client, auth, "leader", f"/api/v1/projects/{world['A'][0]}/task-book/versions").get_json()
    assert [v["version"] for v in body] == [1, 2]
    assert body[0]["change_request"] is None and body[0]["signatures"][0]["name"] == "陈工"
    assert body[1]["change_request"]["seq"] == 1 and body[1]["change_request"]["kinds"] == ["goal", "leader"]


def test_diff(client, auth, world):
    path = f"/api/v1/projects/{world['A'][0]}/task-book/diff"
    body = _get(client, auth, "leader", f"{path}?from=1&to=2").get_json()
    changes = {c["path"]: c for c in body["changes"]}
    assert body["from"] == 1 and body["to"] == 2
    assert changes["leader"] == {"path": "leader", "kind": "changed", "before": "陈工", "after": "王工"}
    assert changes["targets.T1"]["before"]["target"] == "100" and changes["targets.T1"]["after"]["target"] == "110"
    assert changes["milestones.M4"]["kind"] == "added" and changes["milestones.M4"]["before"] is None
    assert changes["budget.2"]["kind"] == "removed" and changes["budget.2"]["after"] is None
    assert_error_shape(_get(client, auth, "leader", f"{path}?from=1&to=3"), 404)
    assert_error_shape(_get(client, auth, "leader", f"{path}?from=1"), 422)


def test_reports_and_alerts(client, auth, world):
    base = f"/api/v1/projects/{world['A'][0]}"
    reports = _get(client, auth, "leader", f"{base}/reports").get_json()
    assert [r["period"] for r in reports] == ["2026Q1", "2026Q2"]
    alerts = _get(client, auth, "leader", f"{base}/alerts").get_json()
    assert [(a["rule"], a["status"]) for a in alerts] == [("milestone_overdue", "open"), ("report_missing", "closed")]
    assert [e["action"] for e in alerts[1]["events"]] == ["opened", "closed"]


@pytest.mark.parametrize("who, status", [("manager", 200), ("city", 200), ("admin", 403), ("leader", 403),
                                         ("district_huangpu", 403)])
def test_risk_dashboard_access(client, auth, world, who, status):
    response = _get(client, auth, who, "/api/v1/risk-alerts")
    if status != 200:
        assert_error_shape(response, status)
        return
    body = response.get_json()
    assert body["by_chain"] == [{"chain": "IEQ", "high": 1, "medium": 0, "low": 0, "total": 1}]
    assert [a["project"]["number"] for a in body["alerts"]] == [world["A"][1]]
    assert [b["project"]["number"] for b in body["behind"]] == [world["A"][1]]


def test_risk_dashboard_by_chain(client, auth, world):
    body = _get(client, auth, "manager", "/api/v1/risk-alerts?chain=NEV").get_json()
    assert body == {"chain": "NEV", "by_chain": [], "alerts": [], "behind": []}
    assert_error_shape(_get(client, auth, "manager", "/api/v1/risk-alerts?chain=XX"), 422)


def test_the_lead_unit_requests_a_change_and_reports_a_risk_through_the_api(client, auth):
    from tests.project_lifecycle_support import project_in_execution, project_of
    case, _ids = project_in_execution()
    project = project_of(case)
    book = client.get(f"/api/v1/projects/{project.id}", headers=auth("applicant")).get_json()["task_book"]["content"]
    changed = client.post(f"/api/v1/projects/{project.id}/change-requests", headers=auth("applicant"),
                          json={"kinds": ["leader"], "reason": "负责人调任", "task_book": dict(book, leader="王强")})
    assert changed.status_code == 201 and changed.get_json()["status"] == "pending"
    refused = client.post(f"/api/v1/projects/{project.id}/risk-reports", headers=auth("expert1"),
                          json={"description": "供应商停产"})
    assert refused.status_code == 403
    reported = client.post(f"/api/v1/projects/{project.id}/risk-reports", headers=auth("applicant"),
                           json={"description": "关键供应商停产"})
    assert reported.status_code == 201
