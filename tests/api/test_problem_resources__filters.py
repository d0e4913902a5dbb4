"""The problem library in the API: filters, paging, exact decimals, bad parameters, the OpenAPI document."""
import pytest

from app.services import demo
from tests.api.conftest import assert_error_shape


@pytest.fixture
def library(app):
    assert demo.seed_problems() == 20


def test_list_filters_sorts_and_pages(client, auth, library):
    body = client.get("/api/v1/problems?grade=critical&sort=-total&per_page=2", headers=auth("city")).get_json()
    assert body["total"] == 5 and len(body["items"]) == 2
    assert [i["total_score"] for i in body["items"]] == ["5.00", "4.70"]      # exact, as strings
    page3 = client.get("/api/v1/problems?grade=critical&sort=-total&per_page=2&page=3", headers=auth("city"))
    assert [i["total_score"] for i in page3.get_json()["items"]] == ["4.00"]
    nev = client.get("/api/v1/problems?chain=NEV&status=solved", headers=auth("city")).get_json()
    assert [i["number"] for i in nev["items"]] == ["GZ-NEV-2026-0003"]


def test_detail_has_history_and_links(client, auth, library):
    found = client.get("/api/v1/problems?status=merged", headers=auth("city")).get_json()["items"][0]
    body = client.get(f"/api/v1/problems/{found['id']}", headers=auth("city")).get_json()
    assert [h["to_status"] for h in body["history"]] == ["identified", "merged"]
    assert body["merged_into_id"] and [link["id"] for link in body["linked"]] == [body["merged_into_id"]]
    assert body["technical_roots"] == ["design"] and body["failure_rate"] == "0.700"


@pytest.mark.parametrize("query, field", [
    ("page=x", "page"), ("page=0", "page"), ("per_page=1000", "per_page"), ("grade=urgent", "grade"),
    ("from=yesterday", "from"), ("sort=colour", "sort"), ("status=done", "status"),
])
def test_bad_parameters_are_422_naming_them(client, auth, library, query, field):
    body = assert_error_shape(client.get(f"/api/v1/problems?{query}", headers=auth("city")), 422)
    assert field in body["errors"]


def test_huge_ids_are_404(client, auth, library):
    for problem_id in (2**63, 2**64, 0):
        assert_error_shape(client.get(f"/api/v1/problems/{problem_id}", headers=auth("city")), 404)


def test_the_api_is_read_only_and_documented(client, auth, library):
    assert client.post("/api/v1/problems", json={}, headers=auth("city")).status_code == 405
    spec = client.get("/api/openapi.json").get_json()
    assert set(spec["paths"]["/api/v1/problems"]) == {"get"}
    assert set(spec["paths"]["/api/v1/problems/{problem_id}"]) - {"parameters"} == {"get"}
    parameters = {p["name"] for p in spec["paths"]["/api/v1/problems"]["get"]["parameters"]}
    assert {"chain", "segment", "category", "grade", "status", "unit", "from", "to", "sort", "page"} <= parameters
