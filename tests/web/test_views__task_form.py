"""Filling in App. A and reviewing it in the browser views: errors next to fields,
drafts, submitting, claiming and giving an opinion."""
import html as htmllib
import re
from urllib.parse import urlparse

import pytest

from .conftest import form_fields, task_id_of

WRONG_CODE = "91440101MA59XXXXX1"


@pytest.fixture
def started(browser):
    """An applicant's browser on the fill-in task of a case just started from the processes page."""
    client = browser("applicant")
    assert 'href="/processes/consortium_application/new"' in client.get("/processes").get_data(as_text=True)
    response = client.post("/processes/consortium_application/start")
    assert response.status_code == 302
    return client, urlparse(response.location).path


def test_starting_a_case_opens_the_application_form(started):
    client, url = started
    task_id_of(url)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("consortium_name", "district", "members-0-name", "members-0-credit_code", "goals",
                 "attachments-files", "_version"):
        assert f'name="{name}"' in html, name
    assert 'value="complete"' in html and 'value="draft"' in html


def test_a_wrong_credit_code_is_shown_next_to_its_field_and_input_is_kept(started, application_form):
    client, url = started
    form = application_form("tianhe")
    fields = form_fields(form)
    fields["members-0-credit_code"] = WRONG_CODE
    response = client.post(url, data=fields)
    assert response.status_code == 422
    html = htmllib.unescape(response.get_data(as_text=True))
    assert 'data-error-for="members.0.credit_code"' in html
    assert html.count("data-error-for=") == 1                 # only that field is wrong
    assert f'name="members-0-credit_code" value="{WRONG_CODE}"' in html
    assert f'name="members-1-credit_code" value="{form["members"][1]["credit_code"]}"' in html
    assert f'name="consortium_name" value="{form["consortium_name"]}"' in html
    assert form["goals"] in html and form["work_plan"] in html
    assert '<option value="tianhe" selected' in html
    assert client.get("/api/v1/tasks").get_json()["items"][0]["element_id"] == "fill_application"   # nothing moved


def test_missing_required_fields_are_each_named(started):
    client, url = started
    response = client.post(url, data={"consortium_name": "半成品产业链质量创新联合体", "mobile": "12345"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for path in ("chain_domain", "district", "goals", "members", "mobile"):
        assert f'data-error-for="{path}"' in html, path
    assert 'data-error-for="consortium_name"' not in html


def test_save_draft_keeps_even_unfinished_data(started, application_form):
    client, url = started
    fields = form_fields(application_form("haizhu"))
    fields["members-1-credit_code"] = WRONG_CODE
    del fields["goals"]
    saved = client.post(url, data={**fields, "_action": "draft"})
    assert saved.status_code == 302 and urlparse(saved.location).path == url
    html = htmllib.unescape(client.get(url).get_data(as_text=True))
    assert f'name="members-1-credit_code" value="{WRONG_CODE}"' in html
    assert f'name="consortium_name" value="{fields["consortium_name"]}"' in html
    assert 'data-error-for' not in html
    task = client.get(f"/api/v1/tasks/{task_id_of(url)}").get_json()
    assert task["status"] == "open" and task["draft"]["members"][1]["credit_code"] == WRONG_CODE


def test_a_valid_submit_moves_the_case_to_the_lead_unit(started, browser, application_form):
    client, url = started
    submitted = client.post(url, data=form_fields(application_form("tianhe")))
    assert submitted.status_code == 302 and urlparse(submitted.location).path == "/tasks"
    assert client.get("/api/v1/tasks").get_json()["total"] == 0
    done_page = client.get(url).get_data(as_text=True)
    assert 'id="submit"' not in done_page                         # no form any more

    leader = browser("leader")
    inbox = leader.get("/tasks").get_data(as_text=True)
    # the English UI names the step in English (the diagram's nameEn), never beside the Chinese
    assert "Lead unit opinion" in inbox and "牵头单位意见" not in inbox
    assert application_form("tianhe")["consortium_name"] in inbox
    assert "Claimable" in inbox


def test_lead_unit_claims_and_must_give_an_opinion(started, browser, application_form):
    client, url = started
    client.post(url, data=form_fields(application_form("tianhe")))
    leader = browser("leader")
    lead_task = leader.get("/api/v1/tasks").get_json()["items"][0]
    page_url = f"/tasks/{lead_task['id']}"
    page = leader.get(page_url).get_data(as_text=True)
    assert 'id="claim"' in page and application_form("tianhe")["lead_unit_name"] in page   # the application, read-only

    claimed = leader.post(page_url, data={"_action": "claim", "_version": lead_task["version"]})
    assert claimed.status_code == 302
    page = leader.get(page_url).get_data(as_text=True)
    assert 'name="decision"' in page and 'id="release"' in page

    no_opinion = leader.post(page_url, data={"decision": "approve"})
    assert no_opinion.status_code == 422 and 'data-error-for="opinion"' in no_opinion.get_data(as_text=True)
    approved = leader.post(page_url, data={"decision": "approve", "opinion": "同意推荐"})
    assert approved.status_code == 302
    district = browser("district_tianhe").get("/api/v1/tasks").get_json()["items"]
    assert [t["element_id"] for t in district] == ["district_review"]


def test_a_form_from_a_stale_page_is_a_conflict(started, application_form):
    client, url = started
    page = client.get(url).get_data(as_text=True)
    assert 'name="_version" value="1"' in page
    client.post(url, data={"consortium_name": "第一个标签页", "_action": "draft", "_version": "1"})
    form = application_form()
    stale = client.post(url, data={**form_fields(form), "_version": "1"})
    # nothing was submitted; the reason is shown with what was typed, against the task as it is now
    assert stale.status_code == 409
    page = htmllib.unescape(stale.get_data(as_text=True))
    assert 'class="flash error"' in page
    assert 'name="_version" value="2"' in page
    assert f'value="{form["consortium_name"]}"' in page              # the input of this tab is not lost
    assert client.get("/api/v1/tasks").get_json()["items"][0]["element_id"] == "fill_application"
    assert 'value="第一个标签页"' in client.get(url).get_data(as_text=True)   # the draft of the other tab
    again = client.post(url, data={**form_fields(form), "_version": "2"})    # submitted on purpose this time
    assert again.status_code == 302 and urlparse(again.location).path == "/tasks"


def test_files_chosen_with_a_refused_submission_are_kept(started, application_form):
    import io

    from .test_views__attachments import PDF, attachment_links
    client, url = started
    form = {**application_form(), "goals": ""}                       # a required field left empty
    response = client.post(url, data={**form_fields(form), "_version": "1",
                                      "attachments-files": [(io.BytesIO(PDF), "章程.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = htmllib.unescape(response.get_data(as_text=True))
    assert re.findall(r'data-error-for="goals">', html)
    assert [name for _token, name in attachment_links(html)] == ["章程.pdf"]     # listed on the form again
    assert 'name="_version" value="2"' in html                        # kept with a draft
    assert f'value="{form["consortium_name"]}"' in html
    fixed = client.post(url, data={**form_fields(application_form()), "_version": "2",
                                   **_attachment_fields(html)})
    assert fixed.status_code == 302 and urlparse(fixed.location).path == "/tasks"
    instance_id = client.get(f"/api/v1/tasks/{task_id_of(url)}").get_json()["instance_id"]
    case = client.get(f"/instances/{instance_id}")                    # the submitted application, read-only
    assert case.status_code == 200 and "章程.pdf" in htmllib.unescape(case.get_data(as_text=True))


def test_someone_elses_task_page_is_403(started, browser):
    _client, url = started
    for intruder in ("applicant2", "district_haizhu"):
        response = browser(intruder).get(url)
        assert response.status_code == 403 and response.mimetype == "text/html"
        assert browser(intruder).post(url, data={"_action": "draft"}).status_code == 403


def test_a_tampered_version_field_is_no_crash(started):
    client, url = started
    response = client.post(url, data={"consortium_name": "草稿", "_action": "draft", "_version": "abc"})
    assert response.status_code == 302
    assert client.get(f"/api/v1/tasks/{task_id_of(url)}").get_json()["draft"] == {"consortium_name": "草稿"}


def test_only_applicants_may_start_and_only_known_processes(browser):
    district = browser("district_tianhe")
    refused = district.post("/processes/consortium_application/start")
    assert refused.status_code == 403 and refused.mimetype == "text/html"
    assert district.get("/api/v1/instances?mine=true").get_json()["total"] == 0
    missing = browser("applicant").post("/processes/no_such_process/start")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


def test_the_profile_page_issues_an_api_token(browser, client):
    page = browser("applicant").post("/profile").get_data(as_text=True)
    token = re.search(r"cq_[A-Za-z0-9_-]+", page).group(0)
    response = client.get("/api/v1/instances?mine=true", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def _attachment_fields(html):
    """The attachments a page lists, as its form posts them back."""
    tokens = re.findall(r'name="attachments-token" value="([^"]+)"', html)
    names = re.findall(r'name="attachments-filename" value="([^"]+)"', html)
    return {"attachments-token": tokens, "attachments-filename": names}
