"""A procedure changed in the browser, and the running cases across the change (issue 14's walk).

An administrator opens the consortium process in the modeler, adds a street-office pre-review step
with the countersign element template (through the modeler's API: drag and drop is impractical
here), sees the deploy's problem pinned on the step that has no approver, fixes it with the people
picker, finds the draft again after leaving, sees the step in the diff against the running version,
and deploys version 2 with a change note; version 1 is still listed. Then, of three cases begun on
version 1: one finishes on version 1, a new case runs on version 2 through the new step, and a
third is dry-run and migrated to version 2 from the migration pages, after which it reaches the new
step too. Its own server: the new version would change the consortium cases of every other
browser test."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, ProcessInstance
from app.models.states import InstanceStatus, TaskStatus
from app.services import demo
from app.services.workflow import cases, tasks
from tests.browser.conftest import serving
from tests.browser.people import log_in, log_out

pytestmark = pytest.mark.browser
KEY = "consortium_application"

ADD_STEP = """() => {
  const m = window.chainqModeler;
  const registry = m.get('elementRegistry'), modeling = m.get('modeling');
  const district = registry.get('district_review');
  const task = m.get('bpmnFactory').create('bpmn:UserTask', { id: 'street_review', name: '街道预审' });
  const shape = modeling.createShape(m.get('elementFactory').createShape({ type: 'bpmn:UserTask', businessObject: task }),
                                     { x: district.x + 60, y: district.y + 220 }, district.parent);
  modeling.reconnectEnd(registry.get('lead_agrees'), shape, { x: shape.x, y: shape.y + 40 });
  modeling.connect(shape, district);
  const templates = m.get('elementTemplates');
  const applied = templates.applyTemplate(shape, templates.getLatest('chainq.approval.countersign')[0]);
  return (applied || registry.get('street_review')).businessObject.get('camunda:modelerTemplate');
}"""

SELECTED = "() => window.chainqModeler.get('selection').get().map(e => e.id)"
OK = {"decision": "approve", "opinion": "同意。"}


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("modeler")) as server:
        yield server


def _user(name):
    return db.session.execute(select(demo.User).where(demo.User.username == name)).scalar_one()


def _step(instance_id, username, data):
    """The case's open step, decided by `username` (claimed first when it is offered to a group)."""
    task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.status == TaskStatus.OPEN)).scalars().first()
    actor = _user(username)
    if task.assignee_id is None:
        tasks.claim(actor, task.id)
    tasks.complete(actor, task.id, data)


def _started(server, steps):
    """A consortium case of the newest version, walked through `steps` [(user, data)]: its id."""
    with server.app.app_context():
        instance = cases.start_instance(_user("applicant"), KEY)
        for username, data in steps:
            _step(instance.id, username, data)
        db.session.remove()
        return instance.id


def _case(server, instance_id):
    """(version, status, open step element ids) of a case, read fresh."""
    with server.app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        open_steps = sorted(db.session.execute(select(HumanTask.element_id).where(
            HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN)).scalars())
        found = instance.definition.version, instance.status, open_steps
        db.session.remove()
        return found


def _decide(server, instance_id, username, data=OK):
    with server.app.app_context():
        _step(instance_id, username, data)
        db.session.remove()


def open_modeler(page, server):
    page.goto(server(f"/admin/processes/{KEY}/edit"))
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()


def test_change_the_procedure_deploy_v2_and_move_a_running_case(page, own_server):
    live_server = own_server
    application = demo.application_data("智能装备", "智能装备", "tianhe", "广州测试牵头单位有限公司", 2)
    finishing_on_v1 = _started(own_server, [("applicant", application), ("leader", OK)])
    to_migrate = _started(own_server, [("applicant", application)])
    assert _case(own_server, finishing_on_v1) == (1, InstanceStatus.RUNNING, ["district_review"])
    assert _case(own_server, to_migrate) == (1, InstanceStatus.RUNNING, ["lead_unit_opinion"])

    log_in(page, live_server, "admin")
    open_modeler(page, live_server)
    expect(page.locator("#problems-panel[data-problems='0']")).to_be_attached()

    assert page.evaluate(ADD_STEP) == "chainq.approval.countersign"
    problem = page.locator("#problems li[data-element=street_review]").first
    expect(problem).to_be_visible()                      # checked with the draft's save
    expect(page.locator(".cq-pin-error[data-pin=street_review]")).to_be_visible()
    problem.click()
    assert page.evaluate(SELECTED) == ["street_review"]

    page.fill("#people-q", "city_office")
    page.locator("#people-results li[data-group=city_office] button").click()
    expect(page.locator("#problems-panel[data-problems='0']")).to_be_attached()
    expect(page.locator(".cq-pin-error")).to_have_count(0)
    expect(page.locator("#draft-status")).not_to_be_empty()

    open_modeler(page, live_server)                      # leaving lost nothing: the draft is offered
    page.click("#open-draft")
    expect(page.locator("#problems-panel[data-problems='0']")).to_be_attached()
    assert page.evaluate("() => !!window.chainqModeler.get('elementRegistry').get('street_review')")

    page.click("#diff-button")
    expect(page.locator("#diff-panel[data-ready=true]")).to_be_visible()
    expect(page.locator("#diff-list li[data-change=added][data-element=street_review]")).to_be_visible()
    expect(page.locator("#diff-new .djs-element.cq-diff-added[data-element-id=street_review]")).to_be_attached()
    expect(page.locator("#diff-list li[data-change=changed][data-element=lead_agrees]")).to_be_visible()

    page.click("#deploy-button")                         # no note: refused in the page
    expect(page.locator("#deploy-result")).not_to_be_empty()
    page.fill("#deploy-note", "街道办预审（会签）")
    page.click("#deploy-button")
    expect(page.locator("#deploy-result[data-version='2']")).to_be_visible()
    expect(page.locator("#running-version")).to_have_text("v2")

    deployed = page.request.get(live_server(f"/admin/processes/{KEY}/deployed.xml")).text()
    assert 'id="street_review"' in deployed and '<camunda:property name="approvalMode" value="countersign"' in deployed
    assert 'camunda:candidateGroups="city_office"' in deployed

    page.goto(live_server("/admin/definitions"))
    versions = page.locator(f"#process-{KEY} tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0).locator(".change-note")).to_have_text("街道办预审（会签）")
    expect(page.locator(f"#process-{KEY} tr[data-version='1']")).to_be_visible()

    # a case begun on v1 finishes on v1; a new case runs on v2 through the new step
    _decide(own_server, finishing_on_v1, "district_tianhe")
    _decide(own_server, finishing_on_v1, "city")
    assert _case(own_server, finishing_on_v1) == (1, InstanceStatus.COMPLETED, [])
    on_v2 = _started(own_server, [("applicant", application), ("leader", OK)])
    assert _case(own_server, on_v2) == (2, InstanceStatus.RUNNING, ["street_review", "street_review"])

    # the third v1 case: dry run, then migrate it from the pages
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(live_server(f"/admin/migrations/new?process={KEY}&from=1&to=2&instance={to_migrate}"))
    expect(page.locator(f"#dry-run tr#case-{to_migrate}[data-movable=yes]")).to_be_visible()
    page.click("#start-migration")
    progress = page.locator("#batch-progress")
    expect(progress).to_have_attribute("data-total", "1")
    if page.locator("#run-batch").count():
        page.click("#run-batch")
    expect(page.locator("#batch-finished")).to_be_visible()
    expect(page.locator(f"#item-{to_migrate}[data-status=migrated]")).to_be_visible()
    assert _case(own_server, to_migrate) == (2, InstanceStatus.RUNNING, ["lead_unit_opinion"])
    _decide(own_server, to_migrate, "leader")
    assert _case(own_server, to_migrate) == (2, InstanceStatus.RUNNING, ["street_review", "street_review"])

    log_out(page)
    log_in(page, live_server, "auditor")
    page.goto(live_server("/audit/operations"))
    for kind in ("definition_deployed", "instance_migrated"):
        expect(page.locator(f"[data-event-type={kind}]").first).to_be_attached()
    assert page.js_errors == []
