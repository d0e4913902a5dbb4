"""The directed sharing pages: the request form (a refusal keeps the user on it with the message and
what they typed), the list of my requests and of those made to my unit (with the link to the
contributor's step), and the contributor's task page."""
import re

from app.extensions import db
from app.models import AccessGrant
from app.models.states import ShareLevel
from tests.achievement_support import make_achievement
from tests.sharing_support import directed_achievement, grants_of

PURPOSE = "评估柔轮热处理工艺在本公司产线的适用性。"


def test_the_requester_asks_and_the_contributor_answers_from_the_list(app, browser):
    _consortium, achievement_id = directed_achievement()
    requester = browser("applicant2", lang="zh")
    form = requester.get(f"/achievements/{achievement_id}/sharing-requests/new")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "sharing-refusal" not in html, re.findall(r"sharing-refusal.>([^<]*)<", html)
    assert "sharing-request-form" in html and "定向共享申请" in html
    sent = requester.post(f"/achievements/{achievement_id}/sharing-requests/new", data={"purpose": PURPOSE, "days": "30"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/my/sharing-requests")
    [grant] = grants_of(achievement_id)
    mine = requester.get("/my/sharing-requests").get_data(as_text=True)
    assert f'data-grant="{grant.id}"' in mine and "等待贡献方答复" in mine
    contributor = browser("leader", lang="zh")
    listed = contributor.get("/my/sharing-requests").get_data(as_text=True)
    [task_id] = re.findall(r'href="/tasks/(\d+)" class="consent-task"', listed)
    page = contributor.get(f"/tasks/{task_id}")
    assert page.status_code == 200 and PURPOSE in page.get_data(as_text=True)
    assert contributor.post(f"/tasks/{task_id}", data={"_action": "claim"}).status_code == 302
    done = contributor.post(f"/tasks/{task_id}", data={"decision": "approve", "opinion": "同意。"})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert db.session.get(AccessGrant, grant.id).status == "granted"
    mine = requester.get("/my/sharing-requests").get_data(as_text=True)
    assert "已同意" in mine and ">30<" in mine


def test_a_refused_request_keeps_the_form_with_the_message(app, browser):
    _consortium, achievement_id = directed_achievement()
    requester = browser("applicant2", lang="en")
    bad = requester.post(f"/achievements/{achievement_id}/sharing-requests/new", data={"purpose": PURPOSE, "days": "400"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and PURPOSE in html and "From 1 to 365" in html and 'class="field-error"' in html
    assert requester.post(f"/achievements/{achievement_id}/sharing-requests/new",
                          data={"purpose": PURPOSE, "days": "10"}).status_code == 302
    again = requester.post(f"/achievements/{achievement_id}/sharing-requests/new", data={"purpose": "再次申请", "days": "10"})
    assert again.status_code == 409 and "再次申请" in again.get_data(as_text=True)
    assert 'id="sharing-refusal"' in requester.get(f"/achievements/{achievement_id}/sharing-requests/new").get_data(
        as_text=True)
    assert len(grants_of(achievement_id)) == 1


def test_who_sees_the_form(app, browser):
    consortium, directed = directed_achievement()
    internal = make_achievement(consortium, ShareLevel.CONSORTIUM)
    own = browser("applicant", lang="en")
    refused = own.post(f"/achievements/{directed}/sharing-requests/new", data={"purpose": PURPOSE, "days": "10"})
    assert refused.status_code == 403
    assert browser("applicant2").get(f"/achievements/{internal}/sharing-requests/new").status_code == 404
    assert browser("applicant2").get("/achievements/999999/sharing-requests/new").status_code == 404
    anonymous = browser(None).get(f"/achievements/{directed}/sharing-requests/new")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert 'id="link-sharing"' in browser("applicant2").get("/achievements").get_data(as_text=True)
