"""In the browser: an administrator opens the consortium process in the modeler, adds a street-office
pre-review step with the countersign element template (through the modeler's API: drag and drop is
impractical here), sees the deploy's problem pinned on the step that has no approver, fixes it with
the people picker, finds the draft again after leaving, sees the step in the diff against the
running version, and deploys version 2 with a change note; version 1 is still listed."""
import pytest
from playwright.sync_api import expect

from tests.browser.people import log_in

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


def open_modeler(page, server):
    page.goto(server(f"/admin/processes/{KEY}/edit"))
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()


def test_add_a_countersign_step_fix_it_compare_and_deploy(page, live_server):
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
    assert page.js_errors == []
