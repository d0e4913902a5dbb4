"""Business-rule tasks: a decision evaluated with the case data, its mapped result stored
under resultVariable, exact decimals kept across save and load, and a running case keeping
the rules it was compiled with."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from decision_tables import table
from diagrams import chain, diagram, end, line_of, start, user_task
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from app.engine import runner
from app.engine.business_rule_task import DecisionTask, DecisionTaskConverter
from app.engine.compiler import compile_definition
from app.engine.dmn.checks import decisions_by_id, load_dmn
from app.engine.errors import DiagramError

SEVERITY = load_dmn((Path(__file__).resolve().parents[2] / "rules" / "problem_severity.dmn").read_bytes(),
                    "rules/problem_severity.dmn")


def rule_task(id="grade", ref="problem_severity", variable="severity", mapping="singleResult", **attrs):
    extra = "".join(f' camunda:{k}="{v}"' for k, v in attrs.items())
    mapping_attr = f' camunda:mapDecisionResult="{mapping}"' if mapping else ""
    return (f'<bpmn:businessRuleTask id="{id}" camunda:decisionRef="{ref}" '
            f'camunda:resultVariable="{variable}"{mapping_attr}{extra} />')


def grading_flow(task_xml=None):
    return diagram(start(), user_task("score"), task_xml or rule_task(), user_task("review"), end(),
                   *chain("start", "score", "grade", "review", "end"))


def compile_grading(task_xml=None, documents=(SEVERITY,)):
    return compile_definition(grading_flow(task_xml), "grading.bpmn", decisions=decisions_by_id(documents))


def run_to_review(definition, scores):
    """Start, save and load, score, save and load: the tests save after every step."""
    workflow = runner.new_workflow(definition, {"problem": "P-1"})
    runner.advance(workflow)
    workflow = runner.open_workflow(runner.snapshot(workflow).state, definition)
    [score] = runner.ready_user_tasks(workflow)
    runner.complete_user_task(workflow, score.spiff_id, scores)
    state = runner.snapshot(workflow).state
    workflow = runner.open_workflow(state, definition)
    [review] = runner.ready_user_tasks(workflow)
    return workflow, review, state


def test_the_decision_result_lands_in_the_case_data_and_survives_save_and_load():
    definition = compile_grading()
    assert definition.decision_ids == ("problem_severity",)
    assert definition.decisions["problem_severity"].digest == SEVERITY.digest
    workflow, review, state = run_to_review(definition, {"impact": 3.3, "diffusion": 3.3, "urgency": 3.4})
    assert review.data["severity"] == {"grade": "important", "stars": 2, "total": Decimal("3.33"),
                                       "handling": "需要重点关注，由行业或龙头企业主导解决。"}
    assert isinstance(review.data["severity"]["total"], Decimal)
    assert '"total": {"value": "3.33", "typename": "Decimal"}' in state     # exact text, not a float
    runner.complete_user_task(workflow, review.spiff_id, {})
    assert workflow.completed and runner.current_data(workflow)["severity"]["grade"] == "important"


def test_a_gateway_can_branch_on_the_result():
    xml = diagram(start(), user_task("score"), rule_task(mapping="singleEntry", ref="problem_severity_grade"),
                  '<bpmn:exclusiveGateway id="which" />', user_task("joint"), user_task("local"), end(), end("end2"),
                  *chain("start", "score", "grade", "which"),
                  '<bpmn:sequenceFlow id="f_joint" sourceRef="which" targetRef="joint"><bpmn:conditionExpression>'
                  'severity == "critical"</bpmn:conditionExpression></bpmn:sequenceFlow>',
                  '<bpmn:sequenceFlow id="f_local" sourceRef="which" targetRef="local"><bpmn:conditionExpression>'
                  'severity != "critical"</bpmn:conditionExpression></bpmn:sequenceFlow>',
                  *chain("joint", "end"), *chain("local", "end2"))
    grade_only = load_dmn(table("problem_severity_grade", inputs=[("Impact", "impact", "number")],
                                outputs=[("grade", "string")],
                                rules=[([">= 4"], ['"critical"']), (["< 4"], ['"other"'])]))
    definition = compile_definition(xml, "branch.bpmn", decisions=decisions_by_id([grade_only]))
    workflow = runner.new_workflow(definition)
    runner.advance(workflow)
    [score] = runner.ready_user_tasks(workflow)
    runner.complete_user_task(workflow, score.spiff_id, {"impact": 4.5})
    assert [t.element_id for t in runner.ready_user_tasks(workflow)] == ["joint"]


def test_a_running_case_keeps_the_rules_it_was_compiled_with():
    v1 = compile_grading(rule_task(ref="decide", mapping="singleEntry"),
                         [load_dmn(table(inputs=[("Impact", "impact", "number")], outputs=[("grade", "string")],
                                         rules=[(["-"], ['"v1"'])]))])
    v2 = compile_grading(rule_task(ref="decide", mapping="singleEntry"),
                         [load_dmn(table(inputs=[("Impact", "impact", "number")], outputs=[("grade", "string")],
                                         rules=[(["-"], ['"v2"'])]))])
    assert v1.decisions["decide"].digest != v2.decisions["decide"].digest     # a new content hash, a new version
    workflow = runner.new_workflow(v1)
    runner.advance(workflow)
    state = runner.snapshot(workflow).state          # saved before the rules run
    workflow = runner.open_workflow(state, v1)       # the case is pinned to v1
    [score] = runner.ready_user_tasks(workflow)
    runner.complete_user_task(workflow, score.spiff_id, {"impact": 1})
    assert runner.ready_user_tasks(workflow)[0].data["severity"] == "v1"


def test_the_task_spec_serializes_with_its_dmn_source():
    definition = compile_grading()
    spec = definition.spec.task_specs["grade"]
    assert isinstance(spec, DecisionTask)
    registry = BpmnWorkflowSerializer.configure({**CAMUNDA_CONFIG, DecisionTask: DecisionTaskConverter})
    converter = DecisionTaskConverter(DecisionTask, registry)
    dumped = json.loads(json.dumps(converter.to_dict(spec)))
    dumped["wf_spec"] = BpmnProcessSpec("restored")      # as the process spec converter hands it over
    restored = converter.from_dict(dumped)
    assert restored.document.source == SEVERITY.source
    assert (restored.decision_ref, restored.result_variable, restored.map_result) == \
        ("problem_severity", "severity", "singleResult")


def test_a_failing_decision_stops_the_case_with_a_clear_error():
    definition = compile_grading()
    workflow = runner.new_workflow(definition)
    runner.advance(workflow)
    [score] = runner.ready_user_tasks(workflow)
    with pytest.raises(WorkflowTaskException, match="business rule task failed: decision 'severity_score'"):
        runner.complete_user_task(workflow, score.spiff_id, {"impact": 3, "diffusion": 3})


@pytest.mark.parametrize(("task_xml", "message"), [
    (rule_task(ref="nowhere"), "decision 'nowhere' is not among the rules given with the definition "
                               "(known: problem_severity, severity_score)"),
    (rule_task(ref="${which}"), "needs camunda:decisionRef naming a decision id"),
    (rule_task(variable=""), "needs camunda:resultVariable"),
    (rule_task(mapping="everything"), "unknown camunda:mapDecisionResult 'everything'"),
    (rule_task(mapping="singleEntry"), "'singleEntry' needs a decision with one output; 'problem_severity' has 4"),
    (rule_task(mapping="collectEntries"), "'collectEntries' needs a decision with one output"),
    (rule_task(**{"class": "com.example.Rules"}), "use camunda:decisionRef, not a class"),
    (rule_task(decisionRefBinding="version"), "camunda:decisionRefBinding must be left out"),
])
def test_business_rule_tasks_outside_the_supported_form_are_refused(task_xml, message):
    xml = grading_flow(task_xml)
    with pytest.raises(DiagramError) as info:
        compile_definition(xml, "grading.bpmn", decisions=decisions_by_id([SEVERITY]))
    assert message in info.value.message
    assert info.value.element_id == "grade" and info.value.line == line_of(xml, 'id="grade"')


def test_without_decisions_a_business_rule_task_is_refused():
    with pytest.raises(DiagramError, match="decision 'problem_severity' is not among the rules given .*known: none"):
        compile_definition(grading_flow(), "grading.bpmn")


def test_default_mapping_is_the_result_list():
    definition = compile_grading(rule_task(mapping=None, ref="severity_score", variable="score"))
    workflow, review, _ = run_to_review(definition, {"impact": 5, "diffusion": 5, "urgency": 5})
    assert review.data["score"] == [{"total": Decimal("5.0")}]
