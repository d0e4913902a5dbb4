"""The modeler's element templates never drift from the engine: each approval template, applied to a
user task with the values it sets (and the approvers filled in), gives a diagram the deploy accepts,
with the approval mode it names; the service templates offer exactly the whitelisted topics; every
text has a Chinese translation; and the files pass Camunda's element-template schema (when the
validator from npm is installed)."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from lxml import etree

from app.engine.compiler import compile_definition
from app.services.workflow import element_templates
from app.services.workflow.handlers import HANDLERS

ROOT = Path(__file__).resolve().parents[2]
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
TEMPLATES = element_templates.load(ROOT / "modeler")

DIAGRAM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:camunda="{CAMUNDA}" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:TASK id="step"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:TASK>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="step"/>
    <bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _applied(template, filled):
    """The diagram with the template's bindings applied to its task, as the modeler writes them:
    attributes for `property`, camunda:property entries for `camunda:property`."""
    tag = template["appliesTo"][0].split(":")[1][0].lower() + template["appliesTo"][0].split(":")[1][1:]
    root = etree.fromstring(DIAGRAM.replace("TASK", tag).encode())
    task = root.find(f".//{{{BPMN}}}{tag}")
    properties = None
    for prop in template["properties"]:
        binding, value = prop["binding"], filled.get(prop["binding"]["name"], prop.get("value", ""))
        if binding["type"] == "property":
            prefix, name = binding["name"].split(":") if ":" in binding["name"] else ("", binding["name"])
            task.set(f"{{{CAMUNDA}}}{name}" if prefix == "camunda" else name, value)
        else:
            assert binding["type"] == "camunda:property", binding
            if properties is None:
                extensions = etree.SubElement(task, f"{{{BPMN}}}extensionElements")
                task.insert(0, extensions)
                properties = etree.SubElement(extensions, f"{{{CAMUNDA}}}properties")
            etree.SubElement(properties, f"{{{CAMUNDA}}}property", name=binding["name"], value=value)
    return etree.tostring(root)


APPROVALS = [t for t in TEMPLATES if t["appliesTo"] == ["bpmn:UserTask"]]
SERVICES = [t for t in TEMPLATES if t["appliesTo"] == ["bpmn:ServiceTask"]]


def test_there_is_a_template_for_every_approval_mode():
    modes = {p["value"] for t in APPROVALS for p in t["properties"] if p["binding"]["name"] == "approvalMode"}
    assert modes == {"single", "or_sign", "countersign", "sequential", "vote"}


@pytest.mark.parametrize("template", APPROVALS, ids=lambda t: t["id"])
def test_an_approval_template_as_applied_deploys(template):
    compiled = compile_definition(_applied(template, {"camunda:candidateGroups": "city_office"}), "p.bpmn",
                                  forms={}, services=HANDLERS)
    step = compiled.step("step")
    assert step.approval_mode == template["id"].rsplit(".", 1)[1]
    assert step.candidate_groups == ("city_office",)


@pytest.mark.parametrize("template", APPROVALS, ids=lambda t: t["id"])
def test_an_approval_template_with_every_policy_chosen_deploys(template):
    filled = {"camunda:candidateUsers": "city,city2", "camunda:dueDate": "P3D", "timeoutPolicy": "remind",
              "remindEvery": "P1D", "remindTimes": "2", "dueInWorkingDays": "true", "opinion": "required",
              "cc": "group:auditors", "fieldsHidden": "a", "fieldsReadonly": "b", "noApprover": "auto_approve",
              "initiatorIsApprover": "next_level", "nextLevelGroup": "city_office"}
    step = compile_definition(_applied(template, filled), "p.bpmn", forms={}, services=HANDLERS).step("step")
    assert step.timeout_policy == {"action": "remind", "times": 2, "every_seconds": 86400}
    assert step.opinion_required and step.due_in_working_days and step.cc_templates == ["group:auditors"]


def test_every_dropdown_choice_is_a_value_the_engine_accepts():
    for template in APPROVALS:
        for prop in template["properties"]:
            for choice in prop.get("choices", ()):
                filled = {"camunda:candidateGroups": "city_office", "camunda:dueDate": "P1D",
                          "riskRule": "report_missing", prop["binding"]["name"]: choice["value"]}
                if prop["binding"]["name"] == "initiatorIsApprover":
                    filled["nextLevelGroup"] = "city_office"
                compile_definition(_applied(template, filled), "p.bpmn", forms={}, services=HANDLERS)


def test_the_service_templates_offer_exactly_the_whitelisted_topics():
    offered = [c["value"] for t in SERVICES for p in t["properties"] for c in p.get("choices", ())]
    assert sorted(offered) == sorted(HANDLERS)
    for template in SERVICES:
        compile_definition(_applied(template, {}), "p.bpmn", forms={}, services=HANDLERS)


def test_every_text_of_the_modeler_has_a_chinese_translation():
    """The templates', the modeler's own (palette, properties panel) and the lint rules' texts."""
    with open(ROOT / "app/translations/zh/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po)
    texts = element_templates.texts(TEMPLATES) | set(element_templates.lint_rules(ROOT / "modeler").values())
    missing = sorted(t for t in texts if not (catalog.get(t) and catalog.get(t).string))
    in_context = [catalog.get(t, context=element_templates.UI_CONTEXT)
                  for t in element_templates.ui_texts(ROOT / "modeler")]
    missing += sorted(t for t, found in zip(element_templates.ui_texts(ROOT / "modeler"), in_context, strict=True)
                      if not (found and found.string))
    assert missing == []


def test_a_description_for_every_recommended_lint_rule():
    """The page describes each rule the browser bundle runs (bpmnlint's `recommended`, app/static/modeler)."""
    import re
    bundled = set(re.findall(r"from 'bpmnlint/rules/([a-z-]+)'", (ROOT / "app/static/modeler/tools.src.js").read_text()))
    assert bundled and bundled == set(element_templates.lint_rules(ROOT / "modeler"))


def test_templates_are_served_in_the_readers_language():
    chinese = element_templates.translated(TEMPLATES, lambda text: "中" + text)
    assert all(t["name"].startswith("中") for t in chinese)
    assert TEMPLATES[0]["name"][0] != "中"          # the loaded templates are not changed


@pytest.mark.skipif(not (ROOT / "node_modules/@bpmn-io/element-templates-validator").is_dir()
                    or shutil.which("node") is None, reason="npm packages not installed (make vendor)")
def test_the_templates_pass_camundas_element_template_schema():
    script = ("const {validateAll} = require('@bpmn-io/element-templates-validator');"
              "const r = validateAll(JSON.parse(require('fs').readFileSync(0, 'utf8')));"
              "console.log(JSON.stringify({valid: r.valid, errors: (r.errors || []).map(e => e.message)}));")
    run = subprocess.run(["node", "-e", script], input=json.dumps(TEMPLATES), capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert json.loads(run.stdout) == {"valid": True, "errors": []}
