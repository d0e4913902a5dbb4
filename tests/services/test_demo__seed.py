"""The demo data `make run` loads: cases at several steps, every approval mode, a timer-started case."""
from sqlalchemy import select

from app.extensions import db
from app.models import ProcessInstance
from app.services import demo
from app.services.audit import replay, trail as audit
from app.services.workflow import queries


def test_the_demo_cases_load_once_and_verify(app, user):
    created = demo.seed_cases()
    assert created == 7 and demo.seed_cases() == 0               # idempotent
    cases = db.session.execute(select(ProcessInstance)).scalars().all()
    assert {c.process_key for c in cases} == {"consortium_application", "expert_review", "problem_library_review"}
    [review] = [c for c in cases if c.process_key == "problem_library_review"]
    assert review.started_by_id is None and review.status == "running"
    inbox = queries.inbox(user("city")).items
    assert review.id in {t.instance_id for t in inbox}
    assert all(report.ok for report in audit.verify_all())


def test_a_timer_started_case_shows_on_every_page(app, user, client, login):
    demo.seed_cases()
    review = db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == "problem_library_review")).scalar_one()
    [task] = queries.tasks_of(review)
    login(client, "city")
    for url in (f"/instances/{review.id}", f"/instances/{review.id}/diagram.xml", f"/tasks/{task.id}", "/tasks",
                "/instances", "/processes"):
        response = client.get(url)
        assert response.status_code == 200, url
    client.get("/logout")
    login(client, "auditor")
    for url in (f"/audit/cases/{review.id}", f"/audit/cases/{review.id}/steps/1.json",
                f"/audit/cases/{review.id}/steps/3.json", f"/audit/cases/{review.id}/reexecute",
                "/audit/export.csv", "/audit/export.xes", "/audit/export.ocel"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get(f"/api/v1/instances/{review.id}").get_json()["started_by"] is None
    assert replay.reexecute(user("auditor"), review).ok         # the timer-started record re-runs the same
