"""The saved state of an instance: small (a reference to the spec, not the
spec), faithful (Decimal, nested data, Unicode), and reloadable."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from diagrams import chain, diagram, end, exclusive, flow, start, user_task
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from app.engine import runner
from app.engine.compiler import compile_definition
from app.engine.serializer import dump_workflow, load_workflow
from app.engine.service_task import TopicServiceTask

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def consortium():
    return compile_definition((ROOT / "bpmn" / "consortium_application.bpmn").read_bytes(),
                              services={"create_consortium"})


def library_default_json(workflow):
    """What SpiffWorkflow's own serializer (camunda flavour) writes for the same workflow."""
    config = dict(CAMUNDA_CONFIG)
    config[TopicServiceTask] = BpmnTaskSpecConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config)).serialize_json(workflow)


def test_state_references_the_spec_instead_of_embedding_it(consortium):
    workflow = runner.new_workflow(consortium, {"initiator": "alice", "initiator_unit": "u", "district": "d"})
    runner.advance(workflow)
    [fill] = runner.ready_user_tasks(workflow)
    runner.complete_user_task(workflow, fill.spiff_id, {"consortium_name": "EV"})

    ours = dump_workflow(workflow)
    theirs = library_default_json(workflow)
    assert "task_specs" in theirs                 # the control really embeds the spec
    assert "task_specs" not in ours
    assert "conditionExpression" not in ours and "decision == " not in ours
    assert len(ours) < 0.6 * len(theirs), (len(ours), len(theirs))
    assert json.loads(ours)["spec_ref"] == "consortium_application"


def test_snapshot_state_is_what_dump_writes(consortium):
    workflow = runner.new_workflow(consortium, {"initiator": "alice"})
    runner.advance(workflow)
    assert runner.snapshot(workflow).state == dump_workflow(workflow)


def test_loaded_workflow_runs_on_with_the_shared_spec(consortium):
    workflow = runner.new_workflow(consortium, {"initiator": "alice", "initiator_unit": "u", "district": "d"})
    runner.advance(workflow)
    loaded = load_workflow(dump_workflow(workflow), consortium)
    assert loaded.spec is consortium.spec
    assert [t.task_spec.bpmn_id for t in loaded.get_tasks()] == \
        [t.task_spec.bpmn_id for t in workflow.get_tasks()]


VALUES = {
    "budget": Decimal("1234567.89"),
    "rate": Decimal("0.0350"),
    "negative": Decimal("-1E+3"),
    "lines": [{"item": "测试仪器", "price": Decimal("99.90"), "qty": 3}],
    "nested": {"a": {"b": [Decimal("1.1"), "x", None, True, 2.5]}},
    "name": "长三角 \u2603 quotes\"and\\backslashes",
    "empty": {},
}


def test_decimal_and_nested_values_survive_round_trips():
    definition = compile_definition(diagram(start(), user_task("one"), user_task("two"), end(),
                                            *chain("start", "one", "two", "end")))
    workflow = runner.new_workflow(definition, VALUES)
    runner.advance(workflow)
    for step in ("one", "two"):
        state = runner.snapshot(workflow).state
        workflow = runner.open_workflow(state, definition)
        [task] = runner.ready_user_tasks(workflow)
        assert task.element_id == step
        assert {key: task.data[key] for key in VALUES} == VALUES
        assert type(task.data["budget"]) is Decimal and str(task.data["budget"]) == "1234567.89"
        assert str(task.data["rate"]) == "0.0350"          # scale kept, not a float
        assert type(task.data["lines"][0]["price"]) is Decimal
        runner.complete_user_task(workflow, task.spiff_id, {"step_total": Decimal("10.00")})
    snap = runner.snapshot(workflow)
    assert snap.completed
    assert snap.data == {**VALUES, "step_total": Decimal("10.00")}
    assert "1234567.89" in snap.state and "1234567.8899" not in snap.state


def test_decimal_is_usable_in_conditions_after_reload():
    definition = compile_definition(diagram(
        start(), user_task("apply"), exclusive("size"), end("large"), end("small"),
        flow("start", "apply"), flow("apply", "size"),
        flow("size", "large", "${budget >= Decimal('1000000')}"),
        flow("size", "small", "${budget < Decimal('1000000')}")))
    workflow = runner.new_workflow(definition)
    runner.advance(workflow)
    workflow = runner.open_workflow(runner.snapshot(workflow).state, definition)
    [task] = runner.ready_user_tasks(workflow)
    runner.complete_user_task(workflow, task.spiff_id, {"budget": Decimal("1000000.00")})
    workflow = runner.open_workflow(runner.snapshot(workflow).state, definition)
    assert runner.snapshot(workflow).end_element == "large"
