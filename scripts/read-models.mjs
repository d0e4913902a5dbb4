// Reads BPMN and DMN files with the model readers Camunda Modeler uses (bpmn-moddle and
// dmn-moddle with the Camunda extensions) and prints, per file, the warnings they give and
// the ids of the elements that have no diagram shape, as one JSON line.
//   node scripts/read-models.mjs bpmn/*.bpmn rules/*.dmn
import { BpmnModdle } from 'bpmn-moddle';
import { DmnModdle } from 'dmn-moddle';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const camundaBpmn = require('camunda-bpmn-moddle/resources/camunda.json');
const camundaDmn = require('camunda-dmn-moddle/resources/camunda.json');

function shapesOf(definitions, diagramsKey) {
  const shown = new Set();
  for (const diagram of definitions[diagramsKey] || []) {
    const elements = diagram.plane ? diagram.plane.planeElement : diagram.diagramElements;
    for (const element of elements || []) {
      const target = element.bpmnElement || element.dmnElementRef;
      if (target) shown.add(target.id);
    }
  }
  return shown;
}

function bpmnNodes(container, found = []) {
  for (const element of container.flowElements || []) {
    if (element.$type !== 'bpmn:SequenceFlow') found.push(element.id);
    if (element.flowElements) bpmnNodes(element, found);
  }
  return found;
}

const report = {};
for (const file of process.argv.slice(2)) {
  const xml = fs.readFileSync(file, 'utf8');
  const dmn = file.endsWith('.dmn');
  const moddle = dmn ? new DmnModdle({ camunda: camundaDmn }) : new BpmnModdle({ camunda: camundaBpmn });
  const { rootElement, warnings } = await moddle.fromXML(xml, dmn ? 'dmn:Definitions' : 'bpmn:Definitions');
  const shown = dmn ? shapesOf(rootElement.dmnDI || {}, 'diagrams') : shapesOf(rootElement, 'diagrams');
  const nodes = dmn ? (rootElement.drgElement || []).map((e) => e.id)
    : (rootElement.rootElements || []).filter((e) => e.$type === 'bpmn:Process').flatMap((p) => bpmnNodes(p));
  report[file] = { warnings: warnings.map((w) => w.message), unshown: nodes.filter((id) => !shown.has(id)) };
}
console.log(JSON.stringify(report));
