"""A failed step's incident in the browser: listed, its page shows the error, the data is corrected
in the editor, and a retry moves the case on."""
import json
import re

from app.extensions import db
from app.services.workflow import cases, deploy, handlers, queries
from tests.services.operations.test_incidents__steps import SERVICE, diagram


def test_incident_page_correct_and_retry(app, browser, user, monkeypatch):
    monkeypatch.setitem(handlers.HANDLERS, "test_checked", lambda instance, data: {"checked": data["amount"]})
    deploy.deploy(user("admin"), diagram("web_failing", SERVICE), "web_failing.bpmn")
    case = cases.start_instance(user("applicant"), "web_failing")
    [fill] = [t for t in queries.tasks_of(case) if t.status == "open"]
    done = browser("applicant").post(f"/tasks/{fill.id}", data={"action": "complete", "title": "申报"})
    assert done.status_code in (200, 302)

    admin = browser("admin")
    listing = admin.get("/admin/incidents").get_data(as_text=True)
    incident_id = int(re.search(r'id="step-incident-(\d+)"', listing).group(1))
    assert browser("city").get(f"/admin/incidents/steps/{incident_id}").status_code == 403
    page = admin.get(f"/admin/incidents/steps/{incident_id}").get_data(as_text=True)
    assert "amount" in page and 'id="case-data"' in page and 'id="retry-step"' in page and "data-confirm" in page
    assert 'id="correction-reason"' in page

    refused = admin.post(f"/admin/instances/{case.id}/data", data={"data": "[1, 2]", "incident": incident_id,
                                                                    "reason": "更正"},
                         follow_redirects=True).get_data(as_text=True)
    assert "JSON object" in refused
    data = {**json.loads(re.search(r'id="case-data"[^>]*>([^<]*)</textarea>', page).group(1)
                         .replace("&#34;", '"').replace("&quot;", '"')), "amount": 5}
    no_reason = admin.post(f"/admin/instances/{case.id}/data", data={"data": json.dumps(data), "incident": incident_id},
                           follow_redirects=True).get_data(as_text=True)
    assert "reason" in no_reason.lower()
    admin.post(f"/admin/instances/{case.id}/data", data={"data": json.dumps(data), "incident": incident_id,
                                                         "reason": "补录金额"})
    moved = admin.post(f"/admin/incidents/steps/{incident_id}/retry")
    assert moved.headers["Location"].endswith(f"/instances/{case.id}")
    db.session.expire_all()
    assert [t.element_id for t in queries.tasks_of(case) if t.status == "open"] == ["review"]
    assert f'id="step-incident-{incident_id}"' not in admin.get("/admin/incidents").get_data(as_text=True)
    timeline = admin.get(f"/instances/{case.id}").get_data(as_text=True)
    assert "Case data corrected" in timeline and "Step failed (incident)" in timeline
