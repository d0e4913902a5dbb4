"""撤销 on the case page: the initiator of a running, undecided case sees the button with its reason and
confirmation; nobody else does; the post needs the CSRF token; a refusal keeps the user on the case page
with the message."""
import re

from app.extensions import db
from app.models import ProcessInstance
from app.services import demo
from app.services.operations import suspension
from app.services.registries.achievements.sharing_requests import request_sharing
from app.services.workflow import cases, deploy
from tests.problem_support import act
from tests.services.operations.test_suspension__timers import deadline_and_boundary
from tests.sharing_support import directed_achievement

from .conftest import csrf_token_of

CANCEL = 'id="cancel"'


def case_page(client, case):
    response = client.get(f"/instances/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def current(case):
    db.session.expire_all()
    return db.session.get(ProcessInstance, case.id)


def test_only_the_initiator_of_a_running_case_sees_the_button(app, browser, user):
    deploy.deploy(user("admin"), deadline_and_boundary("webcancel"), "webcancel.bpmn")
    case = cases.start_instance(user("applicant"), "webcancel")
    page = case_page(browser("applicant"), case)
    form = re.search(r'<form[^>]*id="cancel-form"[^>]*>', page).group(0)
    assert f'action="/instances/{case.id}/cancel"' in form and "data-confirm=" in form
    assert 'id="cancel-reason"' in page and re.search(r'id="cancel-reason"[^>]*required', page)
    assert "撤销申请" in case_page(browser("applicant", lang="zh"), case)
    for other in ("city", "admin"):              # a task holder, an administrator (who terminates instead)
        assert CANCEL not in case_page(browser(other), case)
    suspension.suspend(user("admin"), case.id, "核查")
    assert CANCEL not in case_page(browser("applicant"), case)
    suspension.resume(user("admin"), case.id)
    assert CANCEL in case_page(browser("applicant"), case)


def test_the_button_is_not_offered_once_the_request_is_decided(app, browser, user):
    _consortium, achievement_id = directed_achievement()
    grant = request_sharing(user("applicant2"), achievement_id, "评估适用性。", 30)
    case = db.session.get(ProcessInstance, grant.instance_id)
    assert CANCEL in case_page(browser("applicant2"), case)
    act("leader", case, {"decision": "approve", "opinion": "同意。"})
    assert current(case).status == "running" and CANCEL not in case_page(browser("applicant2"), case)


def test_cancelling_from_the_page_and_the_refusals_that_keep_the_user_there(app, browser, user):
    deploy.deploy(user("admin"), deadline_and_boundary("webcancel2"), "webcancel2.bpmn")
    case = cases.start_instance(user("applicant"), "webcancel2")
    applicant = browser("applicant")
    refused = applicant.post(f"/instances/{case.id}/cancel", data={"reason": " "})
    assert refused.headers["Location"].endswith(f"/instances/{case.id}")
    page = applicant.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Say why you cancel the application" in page and "A reason is required" in page
    page = browser("city").post(f"/instances/{case.id}/cancel", data={"reason": "我来撤"},
                                follow_redirects=True).get_data(as_text=True)
    assert "Only the person who started the case may cancel it" in page
    assert current(case).status == "running"

    page = applicant.post(f"/instances/{case.id}/cancel", data={"reason": "重复提交"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Your application is cancelled" in page
    assert 'id="end-reason"' in page and "Cancelled by the applicant: 重复提交" in page and CANCEL not in page
    assert (current(case).status, current(case).outcome) == ("terminated", "cancelled_by_initiator")
    page = applicant.post(f"/instances/{case.id}/cancel", data={"reason": "再来一次"},
                          follow_redirects=True).get_data(as_text=True)
    assert "already ended" in page
    auditor = browser("auditor")
    timeline = case_page(auditor, case)
    assert 'class="ev-instance_cancelled' in timeline and "Cancelled by the applicant" in timeline
    found = auditor.get("/audit/?status=cancelled_by_initiator").get_data(as_text=True)
    assert case.business_key in found and 'value="cancelled_by_initiator" selected' in found
    assert 'data-event-type="instance_cancelled"' in auditor.get("/audit/operations").get_data(as_text=True)


def test_the_post_needs_the_csrf_token(csrf_app, user):
    deploy.deploy(user("admin"), deadline_and_boundary("webcancel3"), "webcancel3.bpmn")
    case = cases.start_instance(user("applicant"), "webcancel3")
    client = csrf_app.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "applicant", "password": demo.DEMO_PASSWORD, "csrf_token": token})
    page = client.get(f"/instances/{case.id}").get_data(as_text=True)
    assert client.post(f"/instances/{case.id}/cancel", data={"reason": "无令牌"}).status_code == 400
    assert current(case).status == "running"
    form_token = re.search(r'id="cancel-form".*?name="csrf_token" value="([^"]+)"', page, re.S).group(1)
    done = client.post(f"/instances/{case.id}/cancel", data={"reason": "带令牌", "csrf_token": form_token})
    assert done.status_code == 302 and current(case).status == "terminated"
