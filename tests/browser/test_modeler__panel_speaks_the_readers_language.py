"""The modeler speaks the reader's language alone: every text camunda-bpmn-js's palette, context pad,
menus (replace, append, create, colour), search and properties panel show for the elements an
administrator draws, in Chinese or in English.

The walk draws one element of each kind on a blank process (events of every trigger, the tasks,
sub-processes, gateways, flows, data, annotation, group, loops), then a pool with lanes and a
message flow. It selects each (and nothing: the process, then the collaboration), opens its menus
and every group of the panel, gives each list an item and opens it, and tries each switch and each
choice of a dropdown once per page (the same entry of another element shows the same texts). The
page lists the texts it had no translation for (`window.chainqUntranslated`, modeler.js); in
Chinese that list must be empty and the panel and menus must show no Latin word but names and code.
A text camunda-bpmn-js adds in an upgrade fails the Chinese test with its English: add it to
modeler/modeler-texts.json and its Chinese to messages.po (docs/modeler.md). Its own server: the
walk saves drafts of the process it draws on."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serving
from tests.browser.people import log_in

pytestmark = pytest.mark.browser
KEY = "consortium_application"
# texts of the modeler's that are not words, shown as they are in every language (none today: BPMN,
# DMN, CMMN and ID have catalogue entries that keep them)
NOT_WORDS: set[str] = set()
# what the Chinese panel keeps in Latin letters: product and language names, code in the examples of
# its descriptions (the DMN result types, `${someDate}`, cron) and the "(id=…)" of unnamed activities
NAMES_AND_CODE = {"Camunda", "Java", "cron", "someDate", "collectEntries", "singleEntry", "resultList",
                  "singleResult", "TypedValue", "List", "Map", "String", "Object", "id"}
# English camunda-bpmn-js 5.30 draws without asking the page for a translation: "<empty>", the name of
# an unnamed field injection of a listener (bpmn-js-properties-panel draws that nested list without
# its translate function; docs/modeler.md)
UNTRANSLATABLE = {"empty"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.+\-]*")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="d" targetNamespace="t">
  <bpmn:process id="consortium_application" isExecutable="true"/>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="consortium_application"/></bpmndi:BPMNDiagram>
</bpmn:definitions>"""

# One element of each kind on the blank process: [[kind, element id]]
DRAW_PROCESS = """async () => {
  const m = window.chainqModeler;
  const factory = m.get('elementFactory'), modeling = m.get('modeling'), moddle = m.get('moddle');
  const root = m.get('canvas').getRootElement();
  const kinds = [];
  let slot = 0;
  const next = () => ({ x: 120 + (slot % 9) * 150, y: 120 + Math.floor(slot++ / 9) * 170 });
  const add = (attrs, parent, at, hints) => modeling.createShape(factory.createShape(attrs), at || next(), parent || root, hints);
  const kind = (name, element) => { kinds.push([name, element.id]); return element; };
  const event = (type, trigger, more) => Object.assign(
    { type: 'bpmn:' + type, eventDefinitionType: trigger && 'bpmn:' + trigger + 'EventDefinition' }, more);
  for (const t of ['', 'Timer', 'Message', 'Signal', 'Conditional']) kind('start event ' + t, add(event('StartEvent', t)));
  for (const t of ['', 'Message', 'Signal', 'Error', 'Escalation', 'Terminate', 'Compensate']) kind('end event ' + t, add(event('EndEvent', t)));
  for (const t of ['', 'Message', 'Signal', 'Escalation', 'Link', 'Compensate']) kind('throw event ' + t, add(event('IntermediateThrowEvent', t)));
  for (const t of ['Timer', 'Message', 'Signal', 'Conditional', 'Link']) kind('catch event ' + t, add(event('IntermediateCatchEvent', t)));
  const tasks = {};
  for (const t of ['Task', 'UserTask', 'ServiceTask', 'BusinessRuleTask', 'ScriptTask', 'SendTask', 'ReceiveTask',
                   'ManualTask', 'CallActivity']) tasks[t] = kind(t, add({ type: 'bpmn:' + t }));
  const host = tasks.Task;
  [['Timer', true], ['Timer', false], ['Message', true], ['Message', false], ['Signal', true], ['Error', true],
   ['Escalation', true], ['Conditional', true], ['Compensate', true]].forEach(([t, interrupting], i) => kind(
     'boundary event ' + t + (interrupting ? '' : ' non-interrupting'),
     add(event('BoundaryEvent', t, { cancelActivity: interrupting }), host, { x: host.x + 10 + (i % 5) * 20, y: host.y + host.height },
         { attach: true })));
  kind('sub-process', add({ type: 'bpmn:SubProcess', isExpanded: true }));
  kind('sub-process collapsed', add({ type: 'bpmn:SubProcess', isExpanded: false }));
  kind('transaction', add({ type: 'bpmn:Transaction', isExpanded: true }));
  const eventSub = kind('event sub-process', add({ type: 'bpmn:SubProcess', isExpanded: true, triggeredByEvent: true },
                                                root, { x: 300, y: 1200 }));
  [['Error', true], ['Escalation', true], ['Escalation', false], ['Message', false], ['Timer', false], ['Signal', false],
   ['Conditional', false], ['Compensate', true]].forEach(([t, interrupting], i) => kind(
     'event sub-process start ' + t + (interrupting ? '' : ' non-interrupting'),
     add(event('StartEvent', t, { isInterrupting: interrupting }), eventSub,
         { x: eventSub.x + 30 + i * 40, y: eventSub.y + eventSub.height / 2 })));
  const gateways = {};
  for (const t of ['Exclusive', 'Parallel', 'Inclusive', 'EventBased', 'Complex']) gateways[t] = kind(t + ' gateway', add({ type: 'bpmn:' + t + 'Gateway' }));
  kind('sequence flow', modeling.connect(gateways.Exclusive, tasks.UserTask));
  const conditional = kind('conditional flow', modeling.connect(gateways.Exclusive, tasks.ServiceTask));
  modeling.updateProperties(conditional, { conditionExpression: moddle.create('bpmn:FormalExpression', { body: '${approved}' }) });
  const byDefault = kind('default flow', modeling.connect(gateways.Exclusive, tasks.ManualTask));
  modeling.updateProperties(gateways.Exclusive, { 'default': byDefault.businessObject });
  kind('flow from a task', modeling.connect(tasks.UserTask, tasks.SendTask));
  const dataObject = kind('data object', add({ type: 'bpmn:DataObjectReference' }));
  kind('data store', add({ type: 'bpmn:DataStoreReference' }));
  kind('data input association', modeling.connect(dataObject, tasks.ScriptTask));
  kind('data output association', modeling.connect(tasks.ReceiveTask, dataObject));
  const annotation = kind('text annotation', add({ type: 'bpmn:TextAnnotation' }));
  kind('association', modeling.connect(annotation, tasks.ManualTask));
  kind('group', add({ type: 'bpmn:Group' }));
  const loops = [['multi-instance parallel', 'UserTask', 'bpmn:MultiInstanceLoopCharacteristics', {}],
                 ['multi-instance sequential', 'ServiceTask', 'bpmn:MultiInstanceLoopCharacteristics', { isSequential: true }],
                 ['standard loop', 'Task', 'bpmn:StandardLoopCharacteristics', {}]];
  for (const [name, type, loop, attrs] of loops) {
    const task = kind(name, add({ type: 'bpmn:' + type }));
    modeling.updateProperties(task, { loopCharacteristics: moddle.create(loop, attrs) });
  }
  return kinds;
}"""

# The process becomes a pool (with two lanes) talking to a collapsed pool: [[kind, element id]]
DRAW_COLLABORATION = """async () => {
  const m = window.chainqModeler;
  const factory = m.get('elementFactory'), modeling = m.get('modeling'), registry = m.get('elementRegistry');
  const pool = modeling.createShape(factory.createParticipantShape({ isExpanded: true }), { x: 800, y: 800 },
                                    m.get('canvas').getRootElement());
  modeling.splitLane(pool, 2);
  const lane = registry.filter(e => e.type === 'bpmn:Lane')[0];
  const other = modeling.createShape(factory.createParticipantShape({ isExpanded: false }),
                                     { x: pool.x + pool.width / 2, y: pool.y + pool.height + 200 }, m.get('canvas').getRootElement());
  const sender = registry.filter(e => e.type === 'bpmn:SendTask')[0];
  const flow = modeling.connect(sender, other);
  return [['pool', pool.id], ['lane', lane.id], ['collapsed pool', other.id], ['message flow', flow.id]];
}"""

# Selects an element (none: the root) and opens its menus and the groups of its panel; `deep`: gives
# each list an item, tries switches and choices too. Returns the text it showed
VISIT = """async ([id, deep]) => {
  const m = window.chainqModeler;
  const selection = m.get('selection'), popupMenu = m.get('popupMenu');
  const pause = () => new Promise(r => setTimeout(r, 0));
  const painted = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const panel = document.querySelector('#properties');
  const element = id ? m.get('elementRegistry').get(id) : m.get('canvas').getRootElement();
  const shown = () => (panel.querySelector('#bio-properties-panel-id') || {}).value === element.id;
  // The panel follows the selection a moment later and its listeners follow it after the next paint;
  // until then a change to the element it showed before brings that one back (a field committing its
  // value as it loses the focus, the alignment of the diagram as the page saves it): select again.
  const focus = async () => {
    if (shown()) return;
    for (let i = 0; i < 50 && !shown(); i++) {
      if (document.activeElement) document.activeElement.blur();
      if (i) selection.select(null);
      selection.select(id ? element : null);
      await new Promise(r => setTimeout(r, i ? 20 : 0));
    }
    if (!shown()) throw new Error('the properties panel does not show ' + element.id);
    await painted();
  };
  await focus();
  const seen = [];
  if (id) {
    for (const menu of ['bpmn-replace', 'bpmn-append', 'color-picker']) {
      const target = menu === 'color-picker' ? [element] : element;
      if (popupMenu.isEmpty(target, menu)) continue;
      popupMenu.open(target, menu, { x: 300, y: 300 });
      seen.push(document.querySelector('.djs-popup').innerText);
      popupMenu.close();
    }
    seen.push(Array.from(document.querySelectorAll('.djs-context-pad .entry'), e => e.title).join('\\n'));
  }
  const done = window.chainqWalked = window.chainqWalked || new Set();
  const once = (key) => { key = key.split(element.id).join('#'); return done.has(key) ? false : (done.add(key), true); };
  const openAll = async () => {
    await focus();
    panel.querySelectorAll('.bio-properties-panel-group-header:not(.open)').forEach(h => h.click());
    panel.querySelectorAll('.bio-properties-panel-collapsible-entry:not(.open) > .bio-properties-panel-collapsible-entry-header')
      .forEach(h => h.click());
    await pause();
    await focus();
  };
  await openAll();
  seen.push(panel.innerText);      // as first shown: an empty list offers to create an item
  for (let round = 0; round < (deep ? 6 : 0); round++) {
    await openAll();
    let acted = false;
    for (const button of panel.querySelectorAll('.bio-properties-panel-add-entry')) {
      // the execution listeners of a flow have other events than those of a shape
      const where = button.closest('[data-entry-id]') || button.closest('[data-group-id]');
      if (!button.isConnected || !once('add ' + (element.waypoints ? 'flow ' : '') +
                                       (where.getAttribute('data-entry-id') || where.getAttribute('data-group-id')))) continue;
      button.click();
      acted = true;
      await pause();
    }
    await openAll();
    for (const input of panel.querySelectorAll('input[type=checkbox]')) {
      if (!input.isConnected || !once('switch ' + input.id)) continue;
      input.click();
      acted = true;
      await pause();
    }
    await focus();
    for (const select of panel.querySelectorAll('select')) {
      for (const value of Array.from(select.options, o => o.value)) {
        const live = document.getElementById(select.id);
        if (!live || !once('choose ' + select.id + '=' + value)) continue;
        live.value = value;
        live.dispatchEvent(new Event('input', { bubbles: true }));
        acted = true;
        await openAll();
      }
    }
    if (!acted) break;
  }
  await openAll();
  seen.push(panel.innerText);
  return seen.join('\\n');
}"""

# Several elements selected; the create menu, the search, the minimap; a template on a user task
# and on a service task: the text they showed
OTHERS = """async () => {
  const m = window.chainqModeler;
  const registry = m.get('elementRegistry'), selection = m.get('selection'), popupMenu = m.get('popupMenu');
  const painted = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const seen = [];
  selection.select(registry.filter(e => e.type === 'bpmn:Task'));
  await painted();
  seen.push(document.querySelector('#properties').innerText);
  seen.push(Array.from(document.querySelectorAll('.djs-context-pad .entry'), e => e.title).join('\\n'));
  popupMenu.open(selection.get(), 'align-elements', { x: 300, y: 300 });
  seen.push(Array.from(document.querySelectorAll('.djs-popup .entry'), e => e.title).join('\\n'));
  popupMenu.close();
  selection.select(null);
  popupMenu.open(m.get('canvas').getRootElement(), 'bpmn-create', { x: 300, y: 300 }, { search: true });
  seen.push(document.querySelector('.djs-popup').innerText);
  popupMenu.close();
  seen.push(Array.from(document.querySelectorAll('.djs-palette .entry'), e => e.title).join('\\n'));
  m.get('searchPad').open();
  seen.push(document.querySelector('.djs-search-container').innerText);
  m.get('searchPad').close();
  m.get('minimap').open();
  m.get('minimap').close();
  const templates = m.get('elementTemplates');
  for (const [type, id] of [['bpmn:UserTask', 'chainq.approval.vote'], ['bpmn:ServiceTask', 'chainq.service.problems']]) {
    const task = registry.filter(e => e.type === type)[0];
    const applied = templates.applyTemplate(task, templates.getLatest(id)[0]);
    selection.select(applied);
    await painted();
    document.querySelectorAll('#properties .bio-properties-panel-group-header:not(.open)').forEach(h => h.click());
    await painted();
    seen.push(document.querySelector('#properties').innerText);
  }
  return seen.join('\\n');
}"""


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("modeler_texts")) as server:
        yield server


def choose(page, code):
    """The reader's language, from the switch in the page's bar (it offers the other one)."""
    switch = page.locator(f'form[action$="/lang/{code}"] button')
    if switch.count():
        switch.click()
        expect(switch).to_have_count(0)


def walk(page, server, deep):
    """Every kind of element drawn and walked through; (texts without translation, text shown)."""
    page.goto(server(f"/admin/processes/{KEY}/edit"))
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()
    page.evaluate("xml => window.chainqModeler.importXML(xml)", BLANK)
    shown = [page.evaluate(VISIT, [None, deep])]
    for _kind, element_id in page.evaluate(DRAW_PROCESS):
        shown.append(page.evaluate(VISIT, [element_id, deep]))
    for _kind, element_id in page.evaluate(DRAW_COLLABORATION):
        shown.append(page.evaluate(VISIT, [element_id, deep]))
    shown.append(page.evaluate(VISIT, [None, deep]))
    shown.append(page.evaluate(OTHERS))
    assert page.js_errors == []
    return set(page.evaluate("() => Object.keys(window.chainqUntranslated)")), "\n".join(shown)


def test_the_chinese_modeler_shows_no_english(page, own_server):
    log_in(page, own_server, "admin")
    choose(page, "zh_CN")
    untranslated, shown = walk(page, own_server, deep=True)
    missing = sorted(untranslated - NOT_WORDS)
    assert missing == [], ("texts without a translation: add them to modeler/modeler-texts.json and their "
                           "Chinese to messages.po (context \"modeler\"):\n" + "\n".join(missing))
    words = {w for w in WORD.findall(shown) if w not in NAMES_AND_CODE | UNTRANSLATABLE and "_" not in w
             and not any(c.isdigit() for c in w) and not (w.isupper() and len(w) <= 6)}
    assert sorted(words) == [], "English the modeler shows without asking for a translation: " + " ".join(sorted(words))
    assert "<空>" in shown       # an unnamed item of a list (the allowed "<empty>" is that of a nested list)


def test_the_english_modeler_shows_the_same_texts_in_english(page, own_server):
    log_in(page, own_server, "admin")
    choose(page, "en")
    untranslated, shown = walk(page, own_server, deep=False)
    assert sorted(untranslated - NOT_WORDS) == []
    assert CJK.findall(shown) == []
    # every text of the modeler's is given to the English page as itself
    texts = page.evaluate("() => JSON.parse(document.getElementById('modeler').getAttribute('data-modeler-texts'))")
    assert {text for text, shown_as in texts.items() if text != shown_as} == set()
    for label in ("User task", "Timer start event", "Append task", "Candidate groups", "Execution listeners",
                  "Global message reference", "Align elements left", "<none>"):
        assert label in shown
