"""A path may simply stop (an implicit end, valid BPMN): the case has ended, as with an end event."""
from diagrams import diagram, flow, start, user_task

from app.engine import runner
from app.engine.compiler import compile_definition
from app.engine.serializer import dump_workflow


def _started(xml, data=None):
    workflow = runner.new_workflow(compile_definition(xml, filename="flow.bpmn"), data or {})
    runner.advance(workflow)
    return workflow


def test_a_lone_start_event_ends_the_case_at_once():
    workflow = _started(diagram(start()), {"initiator": "alice"})
    snap = runner.snapshot(workflow)
    assert snap.completed and not snap.ready_tasks
    assert snap.data == {"initiator": "alice"}
    assert snap.end_element == ""            # no end event was reached: the outcome names none


def test_a_user_task_without_outgoing_flow_ends_the_case_when_done():
    workflow = _started(diagram(start(), user_task("review"), flow("start", "review")), {"initiator": "alice"})
    assert not runner.snapshot(workflow).completed
    (review,) = runner.ready_user_tasks(workflow)
    runner.complete_user_task(workflow, review.spiff_id, {"approved": True})
    snap = runner.snapshot(workflow)
    assert snap.completed
    assert snap.data == {"initiator": "alice", "approved": True}       # the data it ended with
    assert snap.completed_elements == ("start", "review")


def test_the_ended_case_stays_ended_after_a_reload():
    xml = diagram(start())
    definition = compile_definition(xml, filename="flow.bpmn")
    workflow = runner.new_workflow(definition, {"a": 1})
    runner.advance(workflow)
    again = runner.open_workflow(dump_workflow(workflow), definition)
    assert again.completed and runner.current_data(again) == {"a": 1}
