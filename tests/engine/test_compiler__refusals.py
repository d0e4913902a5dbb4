"""Diagrams the compiler must refuse at deploy time, each with a message that
names the element and its line, and never by crashing or hanging."""
import time

import pytest
from diagrams import (
    chain,
    diagram,
    end,
    exclusive,
    flow,
    line_of,
    script_task,
    service_task,
    simple,
    start,
    timer_catch,
    user_task,
)

from app.engine.compiler import compile_definition
from app.engine.errors import DiagramError


def refused(xml, **kwargs):
    with pytest.raises(DiagramError) as info:
        compile_definition(xml, filename="flow.bpmn", **kwargs)
    return info.value


def assert_names(error, xml, element_id):
    assert error.element_id == element_id
    assert error.line == line_of(xml, f'id="{element_id}"')
    assert f"element '{element_id}'" in str(error)
    assert f"line {error.line}" in str(error)
    assert "flow.bpmn" in str(error)


def test_script_task():
    xml = simple(("calc", script_task("calc", "total = 1 + 1")))
    error = refused(xml)
    assert_names(error, xml, "calc")
    assert "script tasks are not allowed" in error.message


def test_camunda_listener_script():
    listener = ('<bpmn:userTask id="review" camunda:assignee="alice"><bpmn:extensionElements>'
                '<camunda:taskListener event="create"><camunda:script scriptFormat="python">x = 1'
                '</camunda:script></camunda:taskListener></bpmn:extensionElements></bpmn:userTask>')
    xml = simple(("review", listener))
    error = refused(xml)
    assert_names(error, xml, "review")
    assert "listeners are not allowed" in error.message


def test_condition_calling_os_system():
    xml = diagram(start(), exclusive("route"), end("a"), end("b"), flow("start", "route"),
                  flow("route", "a", "__import__('os').system('id')", id="shell"),
                  flow("route", "b", "True", id="other"))
    error = refused(xml)
    assert_names(error, xml, "shell")
    assert "condition refused" in error.message
    assert "'__import__' is not allowed" in error.message
    assert "'system' is not allowed" in error.message


def test_condition_that_would_create_a_file_runs_nothing(tmp_path):
    target = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(target)!r}).touch() or True"
    xml = diagram(start(), exclusive("route"), end("a"), end("b"), flow("start", "route"),
                  flow("route", "a", payload, id="touch"), flow("route", "b", "False", id="other"))
    error = refused(xml)
    assert error.element_id == "touch"
    assert not target.exists()


def test_lambda_in_condition():
    xml = diagram(start(), exclusive("route"), end("a"), end("b"), flow("start", "route"),
                  flow("route", "a", "(lambda: True)()", id="sneaky"), flow("route", "b", "False"))
    error = refused(xml)
    assert_names(error, xml, "sneaky")


def test_timer_expression_is_checked_too():
    xml = simple(("wait", timer_catch("wait", "__import__('os').getcwd()")))
    error = refused(xml)
    assert_names(error, xml, "wait")
    assert "timer refused" in error.message


def test_complex_gateway():
    xml = diagram(start(), '<bpmn:complexGateway id="merge" />', end(), *chain("start", "merge", "end"))
    error = refused(xml)
    assert_names(error, xml, "merge")
    assert "complex gateways are not supported" in error.message


def test_data_store_reference():
    xml = diagram(start(), '<bpmn:dataStoreReference id="archive" dataStoreRef="store" />', end(),
                  *chain("start", "end"), extra='  <bpmn:dataStore id="store" />\n')
    error = refused(xml)
    assert_names(error, xml, "archive")
    assert "data stores are not supported" in error.message


def test_compensation():
    xml = diagram(start(), user_task("pay"), user_task("refund", isForCompensation="true"), end(),
                  '<bpmn:boundaryEvent id="undo_pay" attachedToRef="pay">'
                  '<bpmn:compensateEventDefinition /></bpmn:boundaryEvent>',
                  *chain("start", "pay", "end"))
    error = refused(xml)
    assert_names(error, xml, "undo_pay")
    assert "compensation is not supported" in error.message


def test_call_activity_calling_its_own_process():
    xml = simple(("again", '<bpmn:callActivity id="again" calledElement="flow" />'))
    error = refused(xml)
    assert_names(error, xml, "flow")   # the process whose calls loop back to itself
    assert "calls its own process" in error.message


def test_call_activities_calling_each_other():
    other = ('  <bpmn:process id="helper" isExecutable="false"><bpmn:startEvent id="h_start" />'
             '<bpmn:callActivity id="back" calledElement="flow" /><bpmn:endEvent id="h_end" />'
             '<bpmn:sequenceFlow id="h1" sourceRef="h_start" targetRef="back" />'
             '<bpmn:sequenceFlow id="h2" sourceRef="back" targetRef="h_end" /></bpmn:process>\n')
    xml = diagram(start(), '<bpmn:callActivity id="call" calledElement="helper" />', end(),
                  *chain("start", "call", "end"), extra=other)
    error = refused(xml)
    assert error.element_id == "flow"
    assert "calls its own process" in error.message


def test_straight_chain_of_600_tasks():
    ids = [f"step_{i}" for i in range(600)]
    xml = diagram(start(), *(user_task(i) for i in ids), end(), *chain("start", *ids, "end"))
    began = time.perf_counter()
    error = refused(xml)          # a RecursionError would fail the test instead
    assert time.perf_counter() - began < 5
    assert_names(error, xml, "flow")
    assert "602 steps" in error.message and "limit is 300" in error.message


@pytest.mark.parametrize("kind", ["task", "manualTask"])
def test_task_that_nobody_is_assigned_to(kind):
    xml = simple(("check", f'<bpmn:{kind} id="check" />'))
    error = refused(xml)
    assert_names(error, xml, "check")
    assert "userTask" in error.message


def test_user_task_without_assignee_or_candidates():
    xml = simple(("review", user_task("review", assignee=None, camunda__formKey="review_opinion")))
    error = refused(xml)
    assert_names(error, xml, "review")
    assert "camunda:assignee" in error.message and "candidateGroups" in error.message


@pytest.mark.parametrize("attrs", [{"camunda__candidateGroups": "city_office"},
                                   {"camunda__candidateUsers": "alice, bob"},
                                   {"camunda__assignee": "${initiator}"}])
def test_user_task_with_any_assignment_is_accepted(attrs):
    compile_definition(simple(("review", user_task("review", assignee=None, **attrs))))


def test_user_task_assignment_expression_is_checked():
    xml = simple(("review", user_task("review", assignee="${__import__('os').getlogin()}")))
    error = refused(xml)
    assert_names(error, xml, "review")
    assert "assignment expression refused" in error.message


def test_service_task_topic_not_whitelisted():
    xml = simple(("notify", service_task("notify", "send_everything")))
    error = refused(xml, services={"create_consortium", "notify_district"})
    assert_names(error, xml, "notify")
    assert "'send_everything' is not whitelisted" in error.message
    assert "create_consortium, notify_district" in error.message


def test_service_task_without_topic():
    xml = simple(("notify", '<bpmn:serviceTask id="notify" />'))
    error = refused(xml, services={"notify_district"})
    assert_names(error, xml, "notify")
    assert "camunda:topic" in error.message


def test_unknown_form_key():
    xml = simple(("review", user_task("review", camunda__formKey="no_such_form")))
    error = refused(xml, forms={"review_opinion": {}})
    assert_names(error, xml, "review")
    assert "no_such_form" in error.message


def test_malformed_xml_names_the_line():
    xml = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
           b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n'
           b'  <bpmn:process id="flow" isExecutable="true">\n'
           b'    <bpmn:startEvent id="start">\n'
           b'  </bpmn:process>\n'
           b'</bpmn:definitions>\n')
    error = refused(xml)
    assert error.line == 5
    assert "line 5" in str(error)
    assert "not well-formed XML" in error.message


def test_not_bpmn_at_all():
    error = refused(b"<html><body>hello</body></html>")
    assert "bpmn:definitions" in error.message


def test_no_executable_process():
    xml = diagram(start(), end(), *chain("start", "end")).replace(b'isExecutable="true"',
                                                                 b'isExecutable="false"')
    assert "isExecutable" in refused(xml).message


def test_oversized_file():
    padding = b"<!-- " + b"x" * (3 * 1024 * 1024) + b" -->"
    xml = diagram(start(), end(), *chain("start", "end")) + padding
    assert "limit" in refused(xml).message


def test_several_problems_are_all_mentioned():
    xml = diagram(start(), script_task("one"), '<bpmn:complexGateway id="two" />', end(),
                  *chain("start", "one", "two", "end"))
    error = refused(xml)
    assert error.element_id == "one"
    assert "1 more problem" in error.message and "'two'" in error.message


def test_plain_flow_nodes_do_not_count_as_problems():
    # Guard against the unsupported-element list catching ordinary elements by local name.
    xml = diagram(start(), user_task("a"), service_task("b", "ok"), exclusive("g"), end("e1"), end("e2"),
                  flow("start", "a"), flow("a", "b"), flow("b", "g"),
                  flow("g", "e1", "x > 1"), flow("g", "e2", "x <= 1"))
    assert compile_definition(xml, services={"ok"}).key == "flow"


def timer_of(kind, text):
    return (f'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
            f'<bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')


@pytest.mark.parametrize("kind, text", [
    ("timeDuration", "P1DT"),
    ("timeDuration", "2025-01-01"),
    ("timeDate", "2025-13-45T10:00:00Z"),
    ("timeDate", "PT5M"),                           # a duration where a date-time is expected
    ("timeCycle", "R3/PT1H/PT2H/PT3H"),
    ("timeDuration", "P1D/__import__('os').system('id')"),
    ("timeCycle", "R3/PT1H/__import__('os').system('id')"),
])
def test_invalid_timer_literals(kind, text):
    xml = simple(("wait", timer_of(kind, text)))
    error = refused(xml)
    assert_names(error, xml, "wait")
    assert "timer refused" in error.message


@pytest.mark.parametrize("kind, text", [
    ("timeDuration", "PT5M"), ("timeDuration", "P1Y2M3DT4H5M6S"), ("timeDuration", "P2W"),
    ("timeDate", "2025-06-01T09:00:00+08:00"), ("timeDate", "2025-06-01"),
    ("timeCycle", "R3/PT1H"), ("timeCycle", "R/2025-01-01T00:00:00Z/P1D"),
])
def test_valid_timer_literals(kind, text):
    assert compile_definition(simple(("wait", timer_of(kind, text)))).key == "flow"


def test_an_alert_timeout_policy_must_name_its_risk_rule():
    props = ('<bpmn:extensionElements><camunda:properties><camunda:property name="timeoutPolicy" value="alert" />'
             '</camunda:properties></bpmn:extensionElements>')
    xml = simple(("report", f'<bpmn:userTask id="report" camunda:assignee="alice" camunda:dueDate="P10D">{props}'
                            '</bpmn:userTask>'))
    error = refused(xml)
    assert_names(error, xml, "report")
    assert "riskRule" in str(error)
    accepted = xml.replace(b'value="alert" />', b'value="alert" /><camunda:property name="riskRule" value="report_missing" />')
    step = compile_definition(accepted, filename="flow.bpmn").steps["report"]
    assert step.timeout_policy == {"action": "alert", "rule": "report_missing"}


def _process_property(name, value):
    return (f'<bpmn:extensionElements><camunda:properties><camunda:property name="{name}" value="{value}" />'
            '</camunda:properties></bpmn:extensionElements>')


def test_initiator_may_cancel_is_true_or_false():
    body = (start(), user_task("review"), end(), *chain("start", "review", "end"))
    error = refused(diagram(_process_property("initiatorMayCancel", "nope"), *body))
    assert error.element_id == "flow" and "initiatorMayCancel must be true or false, not 'nope'" in error.message
    assert compile_definition(diagram(*body)).settings.initiator_may_cancel
    closed = compile_definition(diagram(_process_property("initiatorMayCancel", "False"), *body))
    assert not closed.settings.initiator_may_cancel
