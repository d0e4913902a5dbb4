"""The shipped diagrams and rules read cleanly in the model readers Camunda Modeler uses
(bpmn-moddle, dmn-moddle, with the Camunda extensions): no warnings, and every element has a
shape, so each file opens in the modeler as drawn (scripts/read-models.mjs)."""
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "rules").glob("*.dmn"))


def read_models(*paths):
    done = subprocess.run(["node", str(ROOT / "scripts" / "read-models.mjs"), *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_shipped_diagram_and_rule_file_reads_cleanly_with_every_element_drawn():
    report = read_models(*SHIPPED)
    assert len(report) == len(SHIPPED) and any(p.suffix == ".dmn" for p in SHIPPED)
    assert {path: found for path, found in report.items() if found["warnings"] or found["unshown"]} == {}


def test_the_reader_reports_what_the_modeler_would_stumble_on(tmp_path):
    diagram = (ROOT / "bpmn" / "problem_report.bpmn").read_text(encoding="utf-8")
    undrawn = tmp_path / "undrawn.bpmn"
    undrawn.write_text(diagram.replace('bpmnElement="grade"', 'bpmnElement="start"', 1), encoding="utf-8")
    rules = (ROOT / "rules" / "problem_severity.dmn").read_text(encoding="utf-8")
    strange = tmp_path / "strange.dmn"
    strange.write_text(rules.replace("</decisionTable>", "<ruleOfThumb /></decisionTable>", 1), encoding="utf-8")
    report = read_models(undrawn, strange)
    assert report[str(undrawn)]["unshown"] == ["grade"]
    assert report[str(strange)]["warnings"]


def test_the_message_test_diagrams_read_cleanly_with_every_element_drawn():
    diagrams = sorted((ROOT / "tests" / "bpmn" / "messages").glob("*.bpmn"))
    report = read_models(*diagrams)
    assert len(report) == len(diagrams) >= 9
    assert {path: found for path, found in report.items() if found["warnings"] or found["unshown"]} == {}
