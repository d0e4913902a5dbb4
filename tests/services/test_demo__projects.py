"""The demo's breakthrough projects: one in execution through the lifecycle diagram (a quarterly
report waiting, a missed milestone the scheduler alerts on), one proposal waiting for the managing
body; the project pages show them."""
from sqlalchemy import select

from app.extensions import db
from app.models import BreakthroughProject, ProcessInstance, RiskAlert
from app.services import demo, demo_projects
from app.services.audit import trail as audit
from app.services.workflow import timer_firing
from tests.problem_support import open_rows


def test_the_demo_projects_load_once_and_show(app, user, client, login):
    demo.seed_cases()
    demo.seed_problems()
    assert demo_projects.seed_project_processes() == 2
    assert demo_projects.seed_project_processes() == 0                        # idempotent
    running, waiting = db.session.execute(select(BreakthroughProject).order_by(BreakthroughProject.id)).scalars()
    assert (running.status, running.task_book_version, waiting.status) == ("executing", 1, "proposed")
    assert [r.element_id for r in open_rows(db.session.get(ProcessInstance, running.instance_id))] == ["quarterly_report"]
    timer_firing.fire_due()                          # the scheduler at start-up: the first milestone is past
    alert = db.session.execute(select(RiskAlert).where(RiskAlert.project_id == running.id)).scalar_one()
    assert (alert.rule, alert.subject) == ("milestone_overdue", "M1")
    assert all(report.ok for report in audit.verify_all())
    login(client, "manager")
    for url in ("/projects", f"/projects/{running.id}", f"/projects/{waiting.id}", "/projects/risks",
                f"/instances/{running.instance_id}"):
        assert client.get(url).status_code == 200, url
