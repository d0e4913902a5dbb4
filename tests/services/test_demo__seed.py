"""The demo data `make run` loads: cases at several steps, every approval mode, problem reports at
each stage, and the yearly library review the timer opened for every consortium."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Consortium, ProcessInstance
from app.services import demo
from app.services.audit import replay, trail as audit
from app.services.workflow import queries


def _seed_all():
    return demo.seed_cases(), demo.seed_problems(), demo.seed_problem_processes()


def test_the_demo_cases_load_once_and_verify(app, user):
    created, problems, processes = _seed_all()
    consortia = db.session.execute(select(func.count()).select_from(Consortium)).scalar()
    assert (created, processes) == (6, 3 + consortia) and problems == 20
    assert _seed_all() == (0, 0, 0)                                       # idempotent
    keys = db.session.execute(select(ProcessInstance.process_key)).scalars().all()
    assert set(keys) == {"consortium_application", "expert_review", "problem_report", "problem_library_review"}
    reviews = db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == "problem_library_review")).scalars().all()
    assert len(reviews) == consortia and all(r.started_by_id is None and r.status == "running" for r in reviews)
    inbox = {t.instance_id for t in queries.inbox(user("manager"), per_page=100).items}
    assert {r.id for r in reviews} <= inbox
    assert all(report.ok for report in audit.verify_all())


def test_a_timer_started_case_shows_on_every_page(app, user, client, login):
    _seed_all()
    review = db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == "problem_library_review").order_by(ProcessInstance.id).limit(1)).scalar_one()
    task = queries.tasks_of(review)[0]
    login(client, "manager")
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
