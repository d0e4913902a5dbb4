"""What real modelers write must deploy and run: bare ISO timers, Camunda
`${...}` conditions, files in encodings other than UTF-8."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from diagrams import chain, diagram, end, exclusive, flow, start, user_task
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import TaskState

from app.engine import runner
from app.engine.compiler import compile_definition
from app.engine.dmn.checks import decisions_by_id, load_dmn

ROOT = Path(__file__).resolve().parents[2]


def timer_event(id, kind, text):
    return (f'<bpmn:intermediateCatchEvent id="{id}"><bpmn:timerEventDefinition id="{id}_def">'
            f'<bpmn:{kind} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{kind}>'
            f'</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')


def timer_flow(kind, text):
    return compile_definition(diagram(start(), timer_event("wait", kind, text), user_task("after"), end(),
                                      *chain("start", "wait", "after", "end")))


def reload(workflow, definition):
    return runner.open_workflow(runner.snapshot(workflow).state, definition)


def timer_task(workflow):
    [task] = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "wait"]
    return task


def ready_ids(workflow):
    return [t.element_id for t in runner.ready_user_tasks(workflow)]


@pytest.mark.parametrize("text, minutes", [("PT5M", 5), ("${'PT5M'}", 5), ("P1D", 24 * 60),
                                           ("PT1.5H", 90)])
def test_duration_timer_due_time_is_computed_and_fires(text, minutes):
    definition = timer_flow("timeDuration", text)
    workflow = runner.new_workflow(definition)
    before = datetime.now(timezone.utc)
    runner.advance(workflow)
    workflow = reload(workflow, definition)

    task = timer_task(workflow)
    assert task.state == TaskState.WAITING
    due = datetime.fromisoformat(task.internal_data["event_value"])
    assert due.tzinfo is not None
    expected = before + timedelta(minutes=minutes)
    assert expected - timedelta(seconds=5) <= due <= expected + timedelta(seconds=5)
    assert ready_ids(workflow) == []

    # Nothing happens before the due time ...
    workflow.refresh_timers()
    runner.advance(workflow)
    assert ready_ids(workflow) == []

    # ... and the timer fires once the due time has passed (as the scheduler would find it).
    task.internal_data["event_value"] = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
    workflow = reload(workflow, definition)
    workflow.refresh_timers()
    runner.advance(workflow)
    assert ready_ids(workflow) == ["after"]
    assert timer_task(workflow).state == TaskState.COMPLETED


def test_duration_timer_from_case_data():
    definition = timer_flow("timeDuration", "${review_period}")
    workflow = runner.new_workflow(definition, {"review_period": "PT10M"})
    runner.advance(workflow)
    due = datetime.fromisoformat(timer_task(workflow).internal_data["event_value"])
    assert timedelta(minutes=9) < due - datetime.now(timezone.utc) <= timedelta(minutes=10)


def test_bare_time_date_in_the_past_fires_at_once():
    definition = timer_flow("timeDate", "2020-01-01T08:00:00Z")
    workflow = runner.new_workflow(definition)
    runner.advance(workflow)
    assert ready_ids(workflow) == ["after"]


def test_bare_time_date_in_the_future_waits():
    definition = timer_flow("timeDate", "2999-01-01T08:00:00+08:00")
    workflow = runner.new_workflow(definition)
    runner.advance(workflow)
    workflow = reload(workflow, definition)
    assert ready_ids(workflow) == []
    assert timer_task(workflow).internal_data["event_value"] == "2999-01-01T08:00:00+08:00"


def decision_flow():
    return compile_definition(diagram(
        start(), user_task("review"), exclusive("decide"), end("approved"), end("returned"), end("rejected"),
        *chain("start", "review", "decide"),
        flow("decide", "approved", "${decision == 'approve'}"),
        flow("decide", "returned", "${decision == 'return'}"),
        flow("decide", "rejected", "#{decision == 'reject' or amount > 1000000}")))


@pytest.mark.parametrize("data, outcome", [
    ({"decision": "approve", "amount": 10}, "approved"),
    ({"decision": "return", "amount": 10}, "returned"),
    ({"decision": "reject", "amount": 10}, "rejected"),
    ({"decision": "maybe", "amount": 2000000}, "rejected"),
])
def test_camunda_style_conditions_route(data, outcome):
    definition = decision_flow()
    workflow = runner.new_workflow(definition)
    runner.advance(workflow)
    [review] = runner.ready_user_tasks(workflow)
    runner.complete_user_task(workflow, review.spiff_id, data)
    snap = runner.snapshot(workflow)
    assert snap.completed and snap.end_element == outcome


def test_no_matching_condition_is_an_error_not_a_silent_stop():
    definition = decision_flow()
    workflow = runner.new_workflow(definition)
    runner.advance(workflow)
    [review] = runner.ready_user_tasks(workflow)
    with pytest.raises(WorkflowException, match="No conditions satisfied for decide"):
        runner.complete_user_task(workflow, review.spiff_id, {"decision": "maybe", "amount": 1})


def reencoded(xml_bytes, encoding, codec):
    text = xml_bytes.decode("utf-8").replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)
    return text.encode(codec)


@pytest.mark.parametrize("encoding, codec", [("UTF-16", "utf-16"), ("UTF-16LE", "utf-16-le"),
                                             ("GB18030", "gb18030")])
def test_shipped_diagram_in_other_encodings(encoding, codec):
    original = (ROOT / "bpmn" / "consortium_application.bpmn").read_bytes()
    data = reencoded(original, encoding, codec)
    assert data != original
    definition = compile_definition(data, filename="consortium_application.bpmn")
    assert definition.key == "consortium_application"
    assert definition.element_names["city_review"] == "市办审核"
    assert definition.steps["lead_unit_opinion"].candidate_groups == ("unit_leader:${initiator_unit}",)


def test_latin1_file():
    xml = diagram(start(), user_task("revue", name="Révision générale"), end(),
                  *chain("start", "revue", "end"))
    data = reencoded(xml, "ISO-8859-1", "latin-1")
    assert "é".encode("latin-1") in data
    definition = compile_definition(data)
    assert definition.element_names["revue"] == "Révision générale"
    workflow = runner.new_workflow(definition)
    runner.advance(workflow)
    assert [t.name for t in runner.ready_user_tasks(workflow)] == ["Révision générale"]


def test_file_without_declaration_and_with_bom():
    xml = diagram(start(), end(), *chain("start", "end"), declaration=False)
    assert compile_definition(b"\xef\xbb\xbf" + xml).key == "flow"


def test_chain_at_the_size_limit_runs_and_reloads():
    # 298 service tasks + start + end = 300 flow nodes: parses, runs, serializes, reloads.
    ids = [f"s{i}" for i in range(298)]
    steps = [f'<bpmn:serviceTask id="{i}" camunda:topic="count" />' for i in ids]
    definition = compile_definition(diagram(start(), *steps, end(), *chain("start", *ids, "end")),
                                    services={"count"})

    def count(data, **_):
        return {"n": data.get("n", 0) + 1}

    workflow = runner.new_workflow(definition, services={"count": count})
    runner.advance(workflow)
    snap = runner.snapshot(workflow)
    assert snap.completed and snap.data["n"] == 298
    again = runner.open_workflow(snap.state, definition)
    assert again.completed


def test_a_definition_knows_whether_a_case_can_wait_at_a_timer():
    assert timer_flow("timeDuration", "PT1H").has_timer_events
    plain = compile_definition(diagram(start(), user_task("only"), end(), *chain("start", "only", "end")))
    assert not plain.has_timer_events
    rules = decisions_by_id([load_dmn((ROOT / "rules" / "problem_severity.dmn").read_bytes())])
    topics = {"create_consortium", "problem_review_items", "problem_review_load", "problem_review_apply",
              "problem_review_summary"}
    shipped = {name: compile_definition((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), filename=f"{name}.bpmn",
                                        services=topics, decisions=rules)
               for name in ("consortium_application", "problem_library_review")}
    assert not shipped["consortium_application"].has_timer_events
    assert shipped["problem_library_review"].start_timers and \
        not shipped["problem_library_review"].has_timer_events     # the start's timer is the scheduler's, not the case's
