"""Diagrams from other tools and other engines: refused for the first reason that matters, with a
message that names the element and its line, never the engine's own exception text."""
import pytest
from diagrams import chain, diagram, end, line_of, simple, start, user_task

from app.engine.compiler import compile_definition, file_stem
from app.engine.errors import DiagramError


def refused(xml, filename="flow.bpmn", **kwargs):
    with pytest.raises(DiagramError) as info:
        compile_definition(xml, filename=filename, **kwargs)
    return info.value


def test_a_sequence_flow_without_id_is_refused_naming_its_line():
    xml = diagram(start(), user_task("review"), end(), '<bpmn:sequenceFlow sourceRef="start" targetRef="review" />',
                  *chain("review", "end"))
    error = refused(xml)
    assert error.line == line_of(xml, '<bpmn:sequenceFlow sourceRef="start"')
    assert "from 'start' to 'review'" in error.message and "has no id" in error.message


def test_a_call_to_a_process_not_in_the_file_names_the_call_activity():
    xml = simple(("call", '<bpmn:callActivity id="call" calledElement="elsewhere" />'))
    error = refused(xml)
    assert (error.element_id, error.line) == ("call", line_of(xml, 'id="call"'))
    assert "'elsewhere'" in error.message and "not in this file" in error.message
    assert "was not found" not in error.message


def test_no_executable_process_is_the_one_reason_given_before_element_problems():
    # the task would be refused too (no assignee), but that is no use until something would deploy
    xml = diagram(start(), '<bpmn:userTask id="review" />', end(), *chain("start", "review", "end"))
    unmarked = xml.replace(b' isExecutable="true"', b"")
    error = refused(unmarked)
    assert "isExecutable" in error.message and "Camunda 7" in error.message
    assert error.element_id == "flow" and not error.more
    assert "isExecutable" in refused(xml.replace(b'"true"', b'"false"', 1)).message


@pytest.mark.parametrize("filename", ["approval.bpmn", "approval.bpmn20.xml", "approval.bpmn20",
                                      "dir/approval.BPMN", "approval.xml", "approval.bpmn2"])
def test_the_process_named_like_the_file_is_picked_whatever_the_extensions(filename):
    assert file_stem(filename) == "approval"
    other = ('<bpmn:process id="other" isExecutable="true"><bpmn:startEvent id="o_start" /></bpmn:process>\n')
    xml = diagram(start(), end(), *chain("start", "end"), process_id="approval", extra=other)
    assert compile_definition(xml, filename=filename).key == "approval"


def test_a_multi_process_file_without_a_match_names_the_stem_without_extensions():
    other = '<bpmn:process id="other" isExecutable="true"><bpmn:startEvent id="o_start" /></bpmn:process>\n'
    xml = diagram(start(), process_id="first", extra=other)
    assert "'approval'" in refused(xml, filename="approval.bpmn20.xml").message


@pytest.mark.parametrize(("condition", "hint"), [
    ("${!approved}", "'not approved' for '!approved'"),
    ("${approved && amount > 5}", "'and' for '&&'"),
    ("${approved || urgent}", "'or' for '||'"),
])
def test_juel_operators_get_their_python_spelling(condition, hint):
    xml = diagram(start(), '<bpmn:exclusiveGateway id="gw" />', end(), end("other"),
                  *chain("start", "gw", "end"),
                  '<bpmn:sequenceFlow id="gw_other" sourceRef="gw" targetRef="other">'
                  f'<bpmn:conditionExpression>{condition.replace("&", "&amp;")}</bpmn:conditionExpression>'
                  '</bpmn:sequenceFlow>')
    error = refused(xml)
    assert error.element_id == "gw_other"
    assert hint in error.message


def test_a_constant_too_large_to_compute_is_refused_at_deploy():
    xml = diagram(start(), '<bpmn:exclusiveGateway id="gw" />', end(), end("other"),
                  *chain("start", "gw", "end"),
                  '<bpmn:sequenceFlow id="gw_other" sourceRef="gw" targetRef="other">'
                  '<bpmn:conditionExpression>1000000**1000000 &gt; 1</bpmn:conditionExpression>'
                  '</bpmn:sequenceFlow>')
    error = refused(xml)
    assert error.element_id == "gw_other"
    assert "too large to compute" in error.message


def test_an_event_referring_to_an_undeclared_error_names_the_event():
    # the engine's parser fails here with its own TypeError, naming nothing
    xml = diagram(start(), '<bpmn:subProcess id="work"><bpmn:startEvent id="s_start" /></bpmn:subProcess>', end(),
                  '<bpmn:boundaryEvent id="caught" attachedToRef="work">'
                  '<bpmn:errorEventDefinition errorRef="missing" /></bpmn:boundaryEvent>', end("failed"),
                  *chain("start", "work", "end"), *chain("caught", "failed"))
    error = refused(xml)
    assert (error.element_id, error.line) == ("caught", line_of(xml, 'id="caught"'))
    assert "error 'missing'" in error.message and "Error" not in error.message


def test_a_spiff_style_business_rule_task_is_refused_in_plain_words():
    xml = simple(("grade", '<bpmn:businessRuleTask id="grade"><bpmn:extensionElements>'
                           '<spiffworkflow:calledDecisionId xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/'
                           'schema/1.0/core">grade</spiffworkflow:calledDecisionId>'
                           '</bpmn:extensionElements></bpmn:businessRuleTask>'))
    error = refused(xml)
    assert error.element_id == "grade" and "camunda:decisionRef" in error.message
    assert "{http" not in str(error) and "KeyError" not in str(error)


def test_a_library_failure_in_its_own_words_is_replaced_by_a_plain_message(monkeypatch):
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

    from app.engine import compiler

    def fail(self, tree, filename=None):
        raise ValidationException("TypeError(\"f() got an unexpected keyword argument 'node'\")", id="end")
    monkeypatch.setattr(compiler.ChainQParser, "add_bpmn_xml", fail)
    xml = simple()
    error = refused(xml)
    assert (error.element_id, error.line) == ("end", line_of(xml, 'id="end"'))
    assert "cannot read this endEvent" in error.message and "TypeError" not in str(error)
    assert "TypeError" in error.detail                                 # kept for the log


def test_a_call_activity_naming_no_process_says_so():
    xml = simple(("call", '<bpmn:callActivity id="call" />'))
    error = refused(xml)
    assert error.element_id == "call" and "names no process" in error.message
