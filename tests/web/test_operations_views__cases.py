"""The administrators' operations in the browser: suspend, resume and terminate from the case page,
the migration dry run by URL, a batch started from it and run from its progress page."""
from sqlalchemy import select

from app.extensions import db
from app.models import MigrationBatch
from app.services.workflow import cases, deploy, queries, tasks
from tests.services.operations.migration_diagrams import version_1, version_2
from tests.services.operations.test_suspension__timers import deadline_and_boundary


def test_suspend_resume_and_terminate_from_the_case_page(app, browser, user):
    deploy.deploy(user("admin"), deadline_and_boundary("paged"), "paged.bpmn")
    case = cases.start_instance(user("applicant"), "paged")
    admin = browser("admin")
    page = admin.get(f"/instances/{case.id}").get_data(as_text=True)
    assert 'id="suspend"' in page and 'id="terminate"' in page and "data-confirm" in page
    assert 'id="suspend"' not in browser("applicant").get(f"/instances/{case.id}").get_data(as_text=True)
    assert browser("city").post(f"/admin/instances/{case.id}/suspend").status_code == 403

    page = admin.post(f"/admin/instances/{case.id}/suspend", data={"reason": "核查"},
                      follow_redirects=True).get_data(as_text=True)
    assert 'id="suspended-notice"' in page and 'id="resume"' in page and "Suspended" in page
    assert case.business_key not in browser("city").get("/tasks").get_data(as_text=True)
    [task] = [t for t in queries.tasks_of(case)]
    task_page = browser("city").get(f"/tasks/{task.id}")
    assert task_page.status_code == 200 and "Suspended" in task_page.get_data(as_text=True)
    refused = browser("city").post(f"/tasks/{task.id}", data={"_action": "claim"}, follow_redirects=True)
    assert "The case is suspended" in refused.get_data(as_text=True)
    page = admin.post(f"/admin/instances/{case.id}/resume", follow_redirects=True).get_data(as_text=True)
    assert 'id="suspend"' in page
    assert case.business_key in browser("city").get("/tasks").get_data(as_text=True)

    page = admin.post(f"/admin/instances/{case.id}/terminate", data={"reason": ""},
                      follow_redirects=True).get_data(as_text=True)
    assert "A reason is required" in page or "Say why" in page
    page = admin.post(f"/admin/instances/{case.id}/terminate", data={"reason": "重复申报"},
                      follow_redirects=True).get_data(as_text=True)
    assert 'id="end-reason"' in page and "重复申报" in page and 'id="terminate"' not in page


def test_dry_run_by_url_then_a_batch_run_from_its_page(app, browser, user):
    deploy.deploy(user("admin"), version_1("webmove"), "webmove.bpmn")
    at_fill = cases.start_instance(user("applicant"), "webmove")
    at_side = cases.start_instance(user("applicant"), "webmove")
    [row] = [t for t in queries.tasks_of(at_side) if t.status == "open"]
    tasks.complete(user("applicant"), row.id, {"way": "side"})
    deploy.deploy(user("admin"), version_2("webmove"), "webmove.bpmn")
    admin = browser("admin")
    assert browser("city").get("/admin/migrations/new?process=webmove&from=1&to=2").status_code == 403

    page = admin.get("/admin/migrations/new?process=webmove&from=1&to=2").get_data(as_text=True)
    assert f'id="case-{at_fill.id}" data-movable="yes"' in page
    assert f'id="case-{at_side.id}" data-movable="no"' in page and "side_step" in page
    assert admin.get("/admin/migrations/new?process=webmove&to=2&instance=x1").status_code == 422
    missing = admin.get("/admin/migrations/new?process=webmove&to=9")
    assert missing.status_code == 422 and "no version 9" in missing.get_data(as_text=True)
    bad = admin.get("/admin/migrations/new?process=webmove&to=2&mapping=nonsense")
    assert bad.status_code == 422 and "old_id=new_id" in bad.get_data(as_text=True)

    started = admin.post("/admin/migrations", data={"process": "webmove", "from": "1", "to": "2"})
    batch = db.session.execute(select(MigrationBatch).order_by(MigrationBatch.id.desc())).scalars().first()
    assert started.headers["Location"].endswith(f"/admin/migrations/{batch.id}")
    page = admin.get(f"/admin/migrations/{batch.id}").get_data(as_text=True)
    assert 'data-pending="2"' in page and 'id="run-batch"' in page
    page = admin.post(f"/admin/migrations/{batch.id}/run", follow_redirects=True).get_data(as_text=True)
    assert 'data-pending="0"' in page and 'id="batch-finished"' in page
    assert f'id="item-{at_fill.id}" data-status="migrated"' in page
    assert f'id="item-{at_side.id}" data-status="failed"' in page
    assert "webmove" in admin.get("/admin/migrations").get_data(as_text=True)
