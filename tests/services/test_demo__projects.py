"""The demo's breakthrough projects, through the lifecycle diagram: one in execution with an
overdue report and open alerts, one proposal waiting, one with an approved change (task book v2),
and one accepted whose problem is solved and whose achievement admission case waits for its form;
the pages show them."""
from sqlalchemy import select

from app.extensions import db
from app.models import BreakthroughProject, HumanTask, ProcessInstance, QualityProblem, RiskAlert
from app.services import demo, demo_projects
from app.services.audit import trail as audit
from app.services.workflow import cases


def test_the_demo_projects_load_once_and_show(app, user, client, login):
    demo.seed_cases()
    demo.seed_problems()
    assert demo_projects.seed_project_processes() == 4
    assert demo_projects.seed_project_processes() == 0                        # idempotent
    running, waiting, accepted, changed = db.session.execute(
        select(BreakthroughProject).order_by(BreakthroughProject.id)).scalars()
    assert (running.status, running.task_book_version, waiting.status) == ("executing", 1, "proposed")
    rules = {a.rule for a in db.session.execute(select(RiskAlert).where(
        RiskAlert.project_id == running.id, RiskAlert.status == "open")).scalars()}
    assert {"milestone_overdue", "report_missing"} <= rules
    assert (changed.status, changed.task_book_version) == ("executing", 2)
    assert accepted.status == "accepted"
    assert {p.status for p in accepted.problems} == {"solved"}
    [admission] = db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == "achievement_admission")).scalars()
    [step] = db.session.execute(select(HumanTask).where(HumanTask.instance_id == admission.id,
                                                        HumanTask.status == "open")).scalars()
    assert step.element_id == "fill_form" and cases.task_data(step)["project_number"] == accepted.number
    assert all(report.ok for report in audit.verify_all())
    login(client, "manager")
    for project in (running, waiting, accepted, changed):
        assert client.get(f"/projects/{project.id}").status_code == 200
    for url in ("/projects", "/projects/risks", f"/instances/{running.instance_id}",
                f"/problems/{accepted.problems[0].id}"):
        assert client.get(url).status_code == 200, url
    assert db.session.get(QualityProblem, accepted.problems[0].id).status == "solved"
