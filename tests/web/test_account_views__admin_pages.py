"""The administrators' account, group, unit and calendar-import pages: closed to everyone else,
a refused form shown again naming each field, a deactivated account logged out at its next request."""
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Holiday

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/1", "/admin/groups", "/admin/groups/1",
               "/admin/units", "/admin/units/1"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_the_pages_are_for_administrators_only(browser, path):
    assert browser("city").get(path).status_code == 403
    assert browser("admin").get(path).status_code == 200


def test_writes_are_refused_to_others(browser, user):
    city = browser("city")
    expert = user("expert1")
    for path in (f"/admin/users/{expert.id}/deactivate", f"/admin/users/{expert.id}/password", "/admin/users/new",
                 "/admin/groups", "/admin/units", "/admin/calendar/import"):
        assert city.post(path, data={"username": "x", "key": "x", "name": "x"}).status_code == 403, path
    assert user("expert1").active


def test_creating_an_account_shows_its_generated_password_once(browser):
    admin = browser("admin")
    refused = admin.post("/admin/users/new", data={"username": "wang", "display_name": "", "groups": ["experts"]})
    assert refused.status_code == 422 and refused.text.count("field-error") == 1
    assert 'value="experts" style="width:auto" checked' in refused.text
    made = admin.post("/admin/users/new", data={"username": "wang", "display_name": "王工", "groups": ["experts"],
                                                "unit": "gz_auto_parts", "district": "panyu"})
    password = re.search(r'id="generated-password">([^<]+)<', made.text).group(1)
    assert len(password) == 12
    listed = admin.get("/admin/users?q=王工&group=experts&status=active")
    assert 'id="user-wang"' in listed.text and password not in listed.text
    assert 'id="user-wang"' not in admin.get("/admin/users?q=王工&status=inactive").text


def test_a_deactivated_account_is_logged_out_at_its_next_request(browser, user):
    expert = browser("expert1")
    assert expert.get("/tasks").status_code == 200
    admin = browser("admin")
    expert_id = user("expert1").id
    page = admin.get(f"/admin/users/{expert_id}")
    assert "data-confirm" in page.text and 'id="deactivate"' in page.text
    assert admin.post(f"/admin/users/{expert_id}/deactivate").status_code == 302
    response = expert.get("/tasks")
    assert response.status_code == 302 and "/login" in response.location
    assert admin.post(f"/admin/users/{expert_id}/deactivate").status_code == 409
    assert 'id="reactivate"' in admin.get(f"/admin/users/{expert_id}").text


def test_a_group_gets_members_with_the_people_picker(browser):
    admin = browser("admin")
    made = admin.post("/admin/groups", data={"key": "reviewers", "name": "评审组"})
    assert made.status_code == 302
    group_page = made.location
    admin.post(group_page, data={"_action": "add", "user": "expert2"})
    page = admin.get(group_page)
    assert 'id="member-expert2"' in page.text and 'list="user-directory"' in page.text
    assert 'data-name="王教授（专家）"' in page.text


def test_a_unit_with_a_wrong_credit_code_is_refused_naming_the_field(browser):
    admin = browser("admin")
    refused = admin.post("/admin/units", data={"key": "gz_x", "name": "X", "unit_type": "enterprise",
                                               "credit_code": "91440101123456789X"})
    assert refused.status_code == 422 and "Not a valid unified social credit code" in refused.text


def test_the_calendar_import_previews_names_bad_lines_then_imports(browser):
    admin = browser("admin")
    text = "2027-01-01 元旦\n2027-02-31 不存在\n"
    preview = admin.post("/admin/calendar/import", data={"text": text, "year": "2027", "_action": "preview"})
    assert preview.status_code == 200 and "Line 2: 2027-02-31 is not a date" in preview.text
    refused = admin.post("/admin/calendar/import", data={"text": text, "year": "2027", "_action": "import"})
    assert refused.status_code == 422 and db.session.execute(select(Holiday)).first() is None
    upload = io.BytesIO("日期,名称,类型\n2027-01-01,元旦,holiday\n2027-02-07,调休上班,workday\n".encode("gb18030"))
    done = admin.post("/admin/calendar/import", data={"file": (upload, "2027.csv"), "year": "2027",
                                                      "_action": "import"}, content_type="multipart/form-data")
    assert done.status_code == 302
    assert {h.day: h.working for h in db.session.execute(select(Holiday)).scalars()} == {
        "2027-01-01": False, "2027-02-07": True}
