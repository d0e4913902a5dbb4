"""The accounts API: the people search for anyone logged in, and users, groups and units for
administrators (the same commands as the pages), documented in the OpenAPI document."""
import pytest

from app.domain.credit_code import make_credit_code
from tests.api.conftest import assert_error_shape


def test_the_people_search_shows_display_names_units_and_groups(client, auth):
    found = client.get("/api/v1/people?q=新能源", headers=auth("city")).json
    assert {p["username"] for p in found} == {"applicant2", "leader2"}
    entry = next(p for p in found if p["username"] == "applicant2")
    assert entry["display_name"] == "广州新能源汽申报人" and entry["unit"] == "广州新能源汽车零部件有限公司"
    assert {"key": "applicants", "name": "申报单位"} in entry["groups"]
    assert len(client.get("/api/v1/people?limit=3", headers=auth("applicant")).json) == 3
    assert_error_shape(client.get("/api/v1/people?q=x"), 401)
    assert_error_shape(client.get("/api/v1/people?limit=0", headers=auth("city")), 422)


def test_an_administrator_creates_edits_and_deactivates_an_account(client, auth):
    admin = auth("admin")
    made = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "sun", "display_name": "孙工", "groups": ["experts"], "unit": "gz_auto_parts"})
    assert made.status_code == 201 and len(made.json["password"]) == 12
    assert made.json["user"]["must_change_password"] is True
    user_id = made.json["user"]["id"]
    body = assert_error_shape(client.post("/api/v1/admin/users", headers=admin, json={
        "username": "sun", "display_name": "x", "password": "sun"}), 422)
    assert set(body["errors"]) == {"username", "password"}
    changed = client.put(f"/api/v1/admin/users/{user_id}", headers=admin, json={
        "display_name": "孙高工", "groups": ["experts", "city_office"], "district": "tianhe"})
    assert changed.json["groups"] == ["city_office", "experts"] and changed.json["district"] == "tianhe"
    listed = client.get("/api/v1/admin/users?group=city_office&status=active", headers=admin).json
    assert "sun" in [u["username"] for u in listed["items"]]
    assert client.post(f"/api/v1/admin/users/{user_id}/deactivation", headers=admin).json["active"] is False
    assert_error_shape(client.post(f"/api/v1/admin/users/{user_id}/deactivation", headers=admin), 409)
    detail = client.get(f"/api/v1/admin/users/{user_id}", headers=admin).json
    assert detail["active"] is False and detail["open_tasks"] == []
    assert client.post(f"/api/v1/admin/users/{user_id}/reactivation", headers=admin).status_code == 200
    reset = client.post(f"/api/v1/admin/users/{user_id}/password-reset", headers=admin, json={})
    assert len(reset.json["password"]) == 12
    assert_error_shape(client.get("/api/v1/admin/users/999999", headers=admin), 404)


def test_groups_and_units_through_the_api(client, auth):
    admin = auth("admin")
    group = client.post("/api/v1/admin/groups", headers=admin, json={"key": "reviewers", "name": "评审组"}).json
    assert group["kind"] == "role"
    assert client.put(f"/api/v1/admin/groups/{group['id']}", headers=admin, json={"name": "评审专家"}).json["name"] \
        == "评审专家"
    assert client.post(f"/api/v1/admin/groups/{group['id']}/members", headers=admin,
                       json={"user": "expert1"}).status_code == 200
    members = client.get(f"/api/v1/admin/groups/{group['id']}/members", headers=admin).json
    assert [m["username"] for m in members] == ["expert1"]
    assert client.delete(f"/api/v1/admin/groups/{group['id']}/members/expert1", headers=admin).status_code == 200
    body = assert_error_shape(client.delete(f"/api/v1/admin/groups/{group['id']}/members/nobody", headers=admin), 422)
    assert "user" in body["errors"]
    code = make_credit_code("9144010187654321")
    unit = client.post("/api/v1/admin/units", headers=admin, json={
        "key": "gz_api", "name": "接口单位", "unit_type": "university", "credit_code": code}).json
    assert unit["credit_code"] == code
    body = assert_error_shape(client.put(f"/api/v1/admin/units/{unit['id']}", headers=admin, json={
        "name": "接口单位", "credit_code": code[:-1] + ("0" if code[-1] != "0" else "1")}), 422)
    assert list(body["errors"]) == ["credit_code"]
    assert any(g["key"] == "district_office:tianhe" and g["kind"] == "district"
               for g in client.get("/api/v1/admin/groups", headers=admin).json)


ACCOUNT = {"username": "x1", "display_name": "X"}
UNIT = {"key": "gz_x", "name": "X"}


@pytest.mark.parametrize("method, path, payload", [
    ("get", "/api/v1/admin/users", None), ("post", "/api/v1/admin/users", ACCOUNT),
    ("get", "/api/v1/admin/users/1", None), ("put", "/api/v1/admin/users/1", {"display_name": "X"}),
    ("post", "/api/v1/admin/users/1/deactivation", None), ("post", "/api/v1/admin/users/1/reactivation", None),
    ("post", "/api/v1/admin/users/1/password-reset", {}), ("get", "/api/v1/admin/groups", None),
    ("post", "/api/v1/admin/groups", UNIT), ("put", "/api/v1/admin/groups/1", {"name": "X"}),
    ("get", "/api/v1/admin/groups/1/members", None), ("post", "/api/v1/admin/groups/1/members", {"user": "city"}),
    ("delete", "/api/v1/admin/groups/1/members/admin", None), ("get", "/api/v1/admin/units", None),
    ("post", "/api/v1/admin/units", UNIT), ("put", "/api/v1/admin/units/1", {"name": "X"}),
])
def test_the_admin_endpoints_refuse_everyone_else(client, auth, method, path, payload):
    assert_error_shape(getattr(client, method)(path, headers=auth("city"), json=payload), 403)


def test_the_operations_are_documented(client):
    spec = client.get("/api/openapi.json").json
    operations = {op["operationId"] for item in spec["paths"].values() for op in item.values()
                  if isinstance(op, dict) and "operationId" in op}
    assert {"searchPeople", "listUsers", "createUser", "getUser", "updateUser", "deactivateUser", "reactivateUser",
            "resetPassword", "listGroups", "createGroup", "renameGroup", "listGroupMembers", "addGroupMember",
            "removeGroupMember", "listUnits", "createUnit", "updateUnit"} <= operations
