"""发起 on the processes page opens the first form without a case; the first save or submit
creates it, a refused submit keeps the user on the form with the errors and their input."""
import html as htmllib
from urllib.parse import urlparse

from .conftest import form_fields, task_id_of

WRONG_CODE = "91440101MA59XXXXX1"
NEW = "/processes/consortium_application/new"


def _my_cases(client) -> dict:
    return client.get("/api/v1/instances?mine=true&per_page=100").get_json()


def test_the_start_form_creates_nothing_until_saved(browser, application_form):
    client = browser("applicant")
    before = _my_cases(client)
    page = client.get(NEW)
    assert page.status_code == 200
    html = htmllib.unescape(page.get_data(as_text=True))
    assert 'name="consortium_name"' in html and 'value="draft"' in html and 'name="_version"' not in html
    assert 'value="广州智能装备集团有限公司"' in html                    # the initiator's unit, prefilled
    assert _my_cases(client) == before

    fields = form_fields(application_form())
    fields["members-0-credit_code"] = WRONG_CODE
    refused = client.post(NEW, data=fields)
    assert refused.status_code == 422
    html = htmllib.unescape(refused.get_data(as_text=True))
    assert 'data-error-for="members.0.credit_code"' in html
    assert f'name="members-0-credit_code" value="{WRONG_CODE}"' in html
    assert _my_cases(client) == before

    saved = client.post(NEW, data={**fields, "_action": "draft"})
    assert saved.status_code == 302
    url = urlparse(saved.location).path
    task = client.get(f"/api/v1/tasks/{task_id_of(url)}").get_json()
    assert task["status"] == "open" and task["draft"]["members"][0]["credit_code"] == WRONG_CODE


def test_a_valid_first_submit_numbers_the_case_and_completes_its_first_step(browser, application_form):
    client = browser("applicant")
    form = application_form()
    done = client.post(NEW, data=form_fields(form))
    assert done.status_code == 302 and urlparse(done.location).path == "/instances/mine"
    mine = client.get("/instances/mine").get_data(as_text=True)
    assert htmllib.escape(form["consortium_name"]) in mine or form["consortium_name"] in mine
    assert client.get("/api/v1/tasks").get_json()["items"] == []       # nothing waits for the applicant


def test_who_may_not_start_gets_no_form(browser):
    assert browser("district_tianhe").get(NEW).status_code == 403
    assert browser("applicant").get("/processes/no_such_process/new").status_code == 404
