"""The modeler's and the definitions page's views: administrators edit, check, save drafts and deploy
through JSON; auditors read the definitions page; others are refused; a stopped process shows so."""
import io
import re
import zipfile

from app.services import demo
from app.services.workflow import definitions
from tests.web.conftest import csrf_token_of

KEY = "consortium_application"


def test_the_modeler_page_and_its_json_calls(app, browser):
    admin = browser("admin")
    page = admin.get(f"/admin/processes/{KEY}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for control in ("check-button", "diff-button", "deploy-note", "deploy-button", "people-q", "problems"):
        assert f'id="{control}"' in html
    xml = admin.get(f"/admin/processes/{KEY}/deployed.xml").get_data(as_text=True)
    assert admin.post(f"/admin/processes/{KEY}/validate", json={"xml": xml}).get_json() == {"problems": []}
    broken = re.sub(r'(<bpmn:userTask id="district_review"[^>]*?) camunda:candidateGroups="[^"]*"', r"\1", xml)
    problems = admin.post(f"/admin/processes/{KEY}/validate", json={"xml": broken}).get_json()["problems"]
    assert problems[0]["element"] == "district_review" and problems[0]["line"]

    saved = admin.post(f"/admin/processes/{KEY}/draft", json={"xml": broken})
    assert saved.status_code == 200 and saved.get_json()["saved_at"]
    assert admin.get(f"/admin/processes/{KEY}/draft.xml").get_data(as_text=True) == broken
    assert 'id="draft-offer"' in admin.get(f"/admin/processes/{KEY}/edit").get_data(as_text=True)

    refused = admin.post(f"/admin/processes/{KEY}/deploy", json={"xml": broken, "note": "x"})
    assert refused.status_code == 422 and refused.get_json()["errors"]["bpmn"]
    no_note = admin.post(f"/admin/processes/{KEY}/deploy", json={"xml": xml.replace("区办审核", "区办初审"), "note": ""})
    assert no_note.status_code == 422 and "change_note" in no_note.get_json()["errors"]
    done = admin.post(f"/admin/processes/{KEY}/deploy", json={"xml": xml.replace("区办审核", "区办初审"), "note": "renamed"})
    assert done.status_code == 201 and done.get_json()["version"] == 2
    assert admin.get(f"/admin/processes/{KEY}/draft.xml").status_code == 404      # the deploy removed it


def test_a_draft_sent_as_a_form_when_the_page_is_left(csrf_app):
    """The page's beacon posts a form with the token (a beacon cannot send the header)."""
    client = csrf_app.test_client()
    login_token = csrf_token_of(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD, "csrf_token": login_token})
    token = csrf_token_of(client.get(f"/admin/processes/{KEY}/edit").get_data(as_text=True))
    assert client.post(f"/admin/processes/{KEY}/draft", data={"xml": "<x/>"}).status_code == 400   # no token
    assert client.post(f"/admin/processes/{KEY}/draft", data={"xml": "<x/>", "csrf_token": token}).status_code == 200


def test_templates_and_people_json(app, browser):
    english = browser("admin").get("/admin/element-templates.json").get_json()
    assert "Countersign" in {t["name"] for t in english}
    chinese = browser("admin", lang="zh_CN").get("/admin/element-templates.json").get_json()
    assert "会签" in {t["name"] for t in chinese}
    found = browser("admin").get("/admin/people.json?q=city").get_json()
    assert "city" in {u["username"] for u in found["users"]} and "city_office" in {g["key"] for g in found["groups"]}
    district = browser("admin").get("/admin/people.json?q=tianhe").get_json()
    assert any(u["username"] == "district_tianhe" for u in district["users"])


def test_new_process_page_opens_the_draft_in_the_modeler(app, browser):
    admin = browser("admin")
    assert admin.get("/admin/processes/new").status_code == 200
    answer = admin.post("/admin/processes/new", data={"key": "street_filing", "name": "街道备案", "source": ""})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/processes/street_filing/edit")
    assert admin.get("/admin/processes/street_filing/edit").status_code == 200
    bad = admin.post("/admin/processes/new", data={"key": "1 bad", "name": "", "source": ""})
    assert bad.status_code == 422 and "process key" in bad.get_data(as_text=True)
    assert admin.get("/admin/processes/never_made/edit").status_code == 404


def test_only_administrators_use_the_modeler(app, browser):
    for username in ("applicant", "auditor"):
        client = browser(username)
        assert client.get(f"/admin/processes/{KEY}/edit").status_code == 403
        assert client.post(f"/admin/processes/{KEY}/validate", json={"xml": "<x/>"}).status_code == 403
        assert client.get("/admin/people.json").status_code == 403


def test_the_definitions_page_switch_and_bundle(app, browser):
    admin, auditor, applicant = browser("admin"), browser("auditor"), browser("applicant")
    page = admin.get("/admin/definitions").get_data(as_text=True)
    assert f'id="process-{KEY}"' in page and f'id="switch-start-{KEY}"' in page and 'id="nav-admin"' in page
    reader = auditor.get("/admin/definitions").get_data(as_text=True)
    assert f'id="process-{KEY}"' in reader and "switch-start-" not in reader
    assert applicant.get("/admin/definitions").status_code == 403

    definition = definitions.latest(KEY)
    assert auditor.get(f"/admin/definitions/{definition.id}").status_code == 200
    bundle = auditor.get(f"/admin/definitions/{definition.id}/bundle.zip")
    assert bundle.mimetype == "application/zip"
    assert f"bpmn/{definition.filename}" in zipfile.ZipFile(io.BytesIO(bundle.data)).namelist()

    assert admin.post(f"/admin/definitions/{KEY}/start", data={"enabled": "0"}).status_code == 302
    assert 'data-start="disabled"' in admin.get("/admin/definitions").get_data(as_text=True)
    assert f'data-stopped="{KEY}"' in applicant.get("/processes").get_data(as_text=True)
    api = applicant.post("/api/v1/instances", json={"process_key": KEY})
    assert api.status_code == 409 and "switched off" in api.get_json()["message"]
    listed = {d["key"]: d["start_enabled"] for d in applicant.get("/api/v1/definitions").get_json()}
    assert listed[KEY] is False and listed["expert_review"] is True
    assert auditor.post(f"/admin/definitions/{KEY}/start", data={"enabled": "1"}).status_code == 403
    admin.post(f"/admin/definitions/{KEY}/start", data={"enabled": "1"})
    assert applicant.post("/api/v1/instances", json={"process_key": KEY}).status_code == 201


def test_bad_input_is_a_clear_answer_not_a_crash(app, browser):
    admin = browser("admin")
    for body in ({"xml": 5}, {}, ["x"], {"xml": "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"}):
        answer = admin.post(f"/admin/processes/{KEY}/validate", json=body)
        assert answer.status_code == 200 and answer.get_json()["problems"][0]["message"]
    assert admin.post(f"/admin/processes/{KEY}/draft", json={"xml": 5}).status_code == 422
    assert admin.post(f"/admin/processes/{KEY}/deploy", json={"note": "n"}).status_code == 422
    assert admin.post("/admin/definitions/no_such_process/start", data={"enabled": "0"}).status_code == 404
    assert admin.get("/admin/definitions/999999/bundle.zip").status_code == 404
