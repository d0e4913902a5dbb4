"""The forward order of a diagram's steps: loops (return paths) set aside, sub-processes and
boundary events followed (app/engine/flow_order.py)."""
from pathlib import Path

from lxml import etree

from app.engine import flow_order
from app.engine.compiler import compile_definition

ROOT = Path(__file__).resolve().parents[2]
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _process(body):
    xml = f'<definitions xmlns="{BPMN}"><process id="p" isExecutable="true">{body}</process></definitions>'
    return etree.fromstring(xml.encode()).find(f"{{{BPMN}}}process")


def _flows(*pairs):
    return "".join(f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />' for i, (a, b) in enumerate(pairs))


def test_a_return_path_does_not_put_the_later_steps_before_the_earlier():
    before = flow_order.predecessors(_process(
        '<startEvent id="s" /><userTask id="fill" /><userTask id="review" /><exclusiveGateway id="g" />'
        '<endEvent id="e" />' + _flows(("s", "fill"), ("fill", "review"), ("review", "g"), ("g", "fill"), ("g", "e"))))
    assert before["fill"] == {"s"}
    assert before["review"] == {"s", "fill"}
    assert before["e"] == {"s", "fill", "review", "g"}


def test_parallel_branches_are_not_before_each_other():
    before = flow_order.predecessors(_process(
        '<startEvent id="s" /><parallelGateway id="split" /><userTask id="a" /><userTask id="b" />'
        '<parallelGateway id="join" /><userTask id="c" />'
        + _flows(("s", "split"), ("split", "a"), ("split", "b"), ("a", "join"), ("b", "join"), ("join", "c"))))
    assert "a" not in before["b"] and "b" not in before["a"]
    assert {"a", "b", "split"} <= before["c"]


def test_sub_processes_and_boundary_events_are_followed():
    before = flow_order.predecessors(_process(
        '<startEvent id="s" /><subProcess id="sub"><startEvent id="ss" /><userTask id="inner" /><endEvent id="se" />'
        + _flows(("ss", "inner"), ("inner", "se")) + '</subProcess>'
        '<userTask id="after" /><boundaryEvent id="late" attachedToRef="after" /><userTask id="chase" />'
        + _flows(("s", "sub"), ("sub", "after"), ("late", "chase"))))
    assert {"sub", "ss", "inner", "se"} <= before["after"]
    assert {"after", "inner"} <= before["chase"]


def test_a_long_chain_is_walked_without_recursion():
    n = 5000
    body = '<startEvent id="n0" />' + "".join(f'<task id="n{i}" />' for i in range(1, n)) \
        + _flows(*[(f"n{i}", f"n{i + 1}") for i in range(n - 1)])
    before = flow_order.predecessors(_process(body))
    assert len(before[f"n{n - 1}"]) == n - 1


def test_the_consortium_diagram():
    compiled = compile_definition((ROOT / "bpmn" / "consortium_application.bpmn").read_bytes(),
                                  "consortium_application.bpmn", services={"create_consortium"})
    assert compiled.before["fill_application"] == {"start"}
    assert {"fill_application", "lead_unit_opinion"} <= compiled.before["district_review"]
    assert "district_review" not in compiled.before["fill_application"]
