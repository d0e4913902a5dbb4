"""The engine's side of messages and signals (app/engine/events.py, delivery.py), with no database:
what a workflow waits for, what it throws, event-based gateways, and the diagrams it refuses."""
import pytest

from app.engine import delivery, runner
from app.engine.compiler import compile_definition
from app.engine.errors import DiagramError
from tests.engine.diagrams import chain, diagram, end, start, user_task

MESSAGES = ('<bpmn:message id="m_go" name="go" /><bpmn:message id="m_stop" name="stop" />'
            '<bpmn:signal id="s_alarm" name="alarm" />')


def with_messages(*elements):
    return diagram(*elements, extra="").replace(b"<bpmn:process", MESSAGES.encode() + b"<bpmn:process", 1)


def catch(id, ref, kind="message"):
    return (f'<bpmn:intermediateCatchEvent id="{id}"><bpmn:{kind}EventDefinition {kind}Ref="{ref}" />'
            f'</bpmn:intermediateCatchEvent>')


def throw(id, ref, tag="intermediateThrowEvent", kind="message", **properties):
    props = "".join(f'<camunda:property name="{k}" value="{v}" />' for k, v in properties.items())
    ext = f"<bpmn:extensionElements><camunda:properties>{props}</camunda:properties></bpmn:extensionElements>"
    return f'<bpmn:{tag} id="{id}">{ext}<bpmn:{kind}EventDefinition {kind}Ref="{ref}" /></bpmn:{tag}>'


def started(xml, data=None):
    compiled = compile_definition(xml, "flow.bpmn")
    workflow = runner.new_workflow(compiled, data or {})
    runner.advance(workflow)
    return compiled, workflow


def reloaded(compiled, workflow):
    return runner.open_workflow(runner.snapshot(workflow).state, compiled)


def test_an_event_based_gateway_waits_for_either_message_and_takes_the_branch_of_the_first():
    xml = with_messages(start(), '<bpmn:eventBasedGateway id="which" />', catch("got_go", "m_go"),
                        catch("got_stop", "m_stop"), user_task("proceed"), end("stopped"), end(),
                        *chain("start", "which", "got_go", "proceed", "end"), *chain("which", "got_stop", "stopped"))
    compiled, workflow = started(xml)
    assert sorted((s.kind, s.name) for s in delivery.subscriptions(workflow)) == [("message", "go"), ("message", "stop")]
    workflow = reloaded(compiled, workflow)
    assert delivery.deliver(workflow, "message", "go", {"n": 1})
    assert [t.element_id for t in runner.ready_user_tasks(workflow)] == ["proceed"]
    assert runner.ready_user_tasks(workflow)[0].data["n"] == 1 and delivery.subscriptions(workflow) == []
    assert not delivery.deliver(workflow, "message", "stop")          # nobody waits for it any more


def test_a_throw_sends_only_the_named_variables_and_evaluates_the_business_key():
    xml = with_messages(start(), throw("tell", "m_go", businessKey="'P-' + str(no)", payload="verdict,missing"),
                        throw("ring", "s_alarm", tag="endEvent", kind="signal", payload="verdict"),
                        *chain("start", "tell", "ring"))
    compiled, workflow = started(xml, {"no": 7, "verdict": "ok", "secret": "x"})
    assert compiled.throws == {("message", "go"), ("signal", "alarm")}
    sent = delivery.thrown(workflow)
    assert [(t.kind, t.name, t.element_id, t.variables, t.business_key) for t in sent] == [
        ("message", "go", "tell", {"verdict": "ok"}, "P-7"), ("signal", "alarm", "ring", {"verdict": "ok"}, None)]
    assert delivery.thrown(workflow) == [] and workflow.completed


def test_a_message_a_case_waits_for_itself_is_caught_inside_it_and_not_sent_out():
    xml = with_messages(start(), '<bpmn:parallelGateway id="split" />', catch("wait", "m_go"),
                        throw("tell", "m_go"), '<bpmn:parallelGateway id="join" />', end(),
                        *chain("start", "split", "wait", "join", "end"), *chain("split", "tell", "join"))
    _compiled, workflow = started(xml)
    assert delivery.thrown(workflow) == [] and workflow.completed


def test_a_case_survives_a_save_while_it_waits_and_catches_after_loading():
    xml = with_messages(start(), catch("wait", "s_alarm", kind="signal"),
                        user_task("after"), end(), *chain("start", "wait", "after", "end"))
    compiled, workflow = started(xml)
    workflow = reloaded(compiled, workflow)
    assert [(s.kind, s.name, s.element_id) for s in delivery.subscriptions(workflow)] == [("signal", "alarm", "wait")]
    assert delivery.deliver(workflow, "signal", "alarm", {"level": 2})
    assert runner.ready_user_tasks(workflow)[0].data["level"] == 2


def test_a_message_start_event_may_not_sit_beside_a_plain_start_event():
    xml = with_messages('<bpmn:startEvent id="by_message"><bpmn:messageEventDefinition messageRef="m_go" />'
                        '</bpmn:startEvent>', start(), user_task("work"), end(),
                        *chain("by_message", "work", "end"), *chain("start", "work"))
    with pytest.raises(DiagramError, match="no other kind of start event"):
        compile_definition(xml, "flow.bpmn")


def test_a_message_start_event_is_a_definition_level_receiver_not_a_subscription():
    xml = with_messages('<bpmn:startEvent id="by_message"><bpmn:messageEventDefinition messageRef="m_go" />'
                        '</bpmn:startEvent>', user_task("work"), end(), *chain("by_message", "work", "end"))
    compiled, workflow = started(xml)
    assert compiled.event_starts == (("message", "go", "by_message"),)
    assert delivery.subscriptions(workflow) == []
    assert delivery.deliver(workflow, "message", "go", {"x": 1})
    assert [t.element_id for t in runner.ready_user_tasks(workflow)] == ["work"]


def test_a_receive_task_is_accepted_and_waits_for_its_message():
    xml = with_messages(start(), '<bpmn:receiveTask id="await" messageRef="m_go" />', end(),
                        *chain("start", "await", "end"))
    compiled, workflow = started(xml)
    assert [(s.name, s.element_id) for s in delivery.subscriptions(workflow)] == [("go", "await")]
    assert delivery.deliver(reloaded(compiled, workflow), "message", "go")
