"""Defence in depth: even a spec that skipped the deploy checks (parsed with
the bare parser) cannot run code, on a new workflow or on a reloaded one,
because the restricted script engine is installed every time."""
import pytest
from diagrams import diagram, end, exclusive, flow, script_task, simple, start
from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from app.engine import runner
from app.engine.compiler import ChainQParser, CompiledDefinition
from app.engine.errors import ServiceCallError
from app.engine.script_env import RestrictedScriptEngine
from app.engine.steps import ProcessSettings


def unchecked(xml):
    """Compile WITHOUT our checks, as if a bug let a diagram through."""
    parser = ChainQParser()
    parser.add_bpmn_xml(etree.ElementTree(etree.fromstring(xml)))
    spec = parser.get_spec("flow")
    return CompiledDefinition("flow", ProcessSettings("flow", "flow"), {}, {}, spec,
                              parser.get_subprocess_specs("flow"))


def touching_condition(target):
    payload = f"__import__('pathlib').Path({str(target)!r}).touch() or True"
    return unchecked(diagram(start(), exclusive("route"), end("a"), end("b"), flow("start", "route"),
                             flow("route", "a", payload), flow("route", "b", "False")))


def test_payload_is_live_under_the_library_default_engine(tmp_path):
    # Control: the same spec on SpiffWorkflow's default engine does create the file.
    target = tmp_path / "pwned"
    workflow = BpmnWorkflow(touching_condition(target).spec, script_engine=PythonScriptEngine())
    workflow.do_engine_steps()
    assert target.exists()


def test_condition_payload_does_not_run_on_a_new_workflow(tmp_path):
    target = tmp_path / "pwned"
    workflow = runner.new_workflow(touching_condition(target))
    assert isinstance(workflow.script_engine, RestrictedScriptEngine)
    with pytest.raises(WorkflowTaskException, match="__import__"):
        runner.advance(workflow)
    assert not target.exists()


def test_condition_payload_does_not_run_after_a_reload(tmp_path):
    target = tmp_path / "pwned"
    definition = touching_condition(target)
    state = runner.snapshot(runner.new_workflow(definition)).state
    workflow = runner.open_workflow(state, definition)
    assert isinstance(workflow.script_engine, RestrictedScriptEngine)
    with pytest.raises(WorkflowTaskException, match="__import__"):
        runner.advance(workflow)
    assert not target.exists()


def test_script_task_does_not_run(tmp_path):
    target = tmp_path / "pwned"
    definition = unchecked(simple(("calc", script_task("calc", f"open({str(target)!r}, 'w').close()"))))
    workflow = runner.new_workflow(definition)
    with pytest.raises(WorkflowTaskException, match="scripts are not allowed") as info:
        runner.advance(workflow)
    assert isinstance(info.value.__context__, ServiceCallError)
    assert not target.exists()
