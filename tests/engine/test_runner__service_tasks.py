"""Service tasks: the only side effects a diagram can cause. The handler is
called once with the case data, its dict result lands in the data, and its
failures surface to the caller instead of being swallowed."""
import pytest
from diagrams import chain, diagram, end, service_task, start, user_task
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.task import TaskState

from app.engine import runner
from app.engine.compiler import compile_definition
from app.engine.errors import ServiceCallError


def notify_flow():
    return compile_definition(diagram(start(), user_task("fill"), service_task("notify", "notify_district"),
                                      user_task("confirm"), end(),
                                      *chain("start", "fill", "notify", "confirm", "end")),
                              services={"notify_district"})


def run_to_service(definition, services):
    workflow = runner.new_workflow(definition, {"district": "yuhang"}, services=services)
    runner.advance(workflow)
    state = runner.snapshot(workflow).state
    workflow = runner.open_workflow(state, definition, services=services)
    [fill] = runner.ready_user_tasks(workflow)
    return workflow, fill


def test_handler_called_once_with_case_data_and_result_merged():
    calls = []

    def notify_district(data, **kwargs):
        calls.append(dict(data))
        return {"notified": True, "ticket": "T-1"}

    definition = notify_flow()
    workflow, fill = run_to_service(definition, {"notify_district": notify_district})
    runner.complete_user_task(workflow, fill.spiff_id, {"title": "EV chain"})
    assert calls == [{"district": "yuhang", "title": "EV chain"}]
    [confirm] = runner.ready_user_tasks(workflow)
    assert confirm.data == {"district": "yuhang", "title": "EV chain", "notified": True, "ticket": "T-1"}

    # Saving, reloading and stepping again does not call it again.
    workflow = runner.open_workflow(runner.snapshot(workflow).state, definition,
                                    services={"notify_district": notify_district})
    runner.advance(workflow)
    runner.complete_user_task(workflow, confirm.spiff_id, {})
    assert len(calls) == 1 and workflow.completed


def test_handler_returning_nothing_leaves_data_alone():
    definition = notify_flow()
    workflow, fill = run_to_service(definition, {"notify_district": lambda data, **_: None})
    runner.complete_user_task(workflow, fill.spiff_id, {"title": "x"})
    [confirm] = runner.ready_user_tasks(workflow)
    assert confirm.data == {"district": "yuhang", "title": "x"}


def test_handler_exception_surfaces():
    class DistrictUnknown(LookupError):
        pass

    def notify_district(data, **kwargs):
        raise DistrictUnknown(f"no office for {data['district']}")

    definition = notify_flow()
    workflow, fill = run_to_service(definition, {"notify_district": notify_district})
    with pytest.raises(WorkflowTaskException) as info:
        runner.complete_user_task(workflow, fill.spiff_id, {})
    assert "DistrictUnknown: no office for yuhang" in str(info.value)
    assert isinstance(info.value.__cause__, DistrictUnknown)
    [notify] = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "notify"]
    assert notify.state == TaskState.ERROR
    assert runner.ready_user_tasks(workflow) == ()


@pytest.mark.parametrize("services", [{}, None, {"something_else": lambda data, **_: {}}])
def test_topic_without_a_handler_at_run_time_is_refused(services):
    definition = notify_flow()
    workflow, fill = run_to_service(definition, services)
    with pytest.raises(ServiceCallError, match="'notify_district' is not whitelisted"):
        runner.complete_user_task(workflow, fill.spiff_id, {})


def test_handlers_are_not_serialized_and_must_be_passed_on_load():
    calls = []
    definition = notify_flow()
    workflow, fill = run_to_service(definition, {"notify_district": lambda data, **_: calls.append(1)})
    state = runner.snapshot(workflow).state
    reloaded = runner.open_workflow(state, definition)      # no services given
    [fill] = runner.ready_user_tasks(reloaded)
    with pytest.raises(ServiceCallError):
        runner.complete_user_task(reloaded, fill.spiff_id, {})
    assert calls == []
