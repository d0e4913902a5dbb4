"""The decision requirement graph, literal-expression decisions and mapDecisionResult."""
from decimal import Decimal

import pytest
from decision_tables import decision, document, literal_decision, table

from app.engine.dmn.checks import load_dmn
from app.engine.dmn.evaluate import decide, evaluate_decision, map_decision_result
from app.engine.errors import DecisionError


def test_two_decisions_the_required_output_is_a_variable():
    xml = document(
        decision("season", inputs=[("Month", "month", "integer")], outputs=[("season", "string")],
                 rules=[(["[3..5]"], ['"spring"']), (["not([3..5])"], ['"other"'])]),
        decision("dish", inputs=[("Season", "season", "string")], outputs=[("dish", "string")],
                 rules=[(['"spring"'], ['"salad"']), (['"other"'], ['"stew"'])], requires=["season"]))
    doc = load_dmn(xml)
    assert evaluate_decision(doc, "dish", {"month": 4}) == [{"dish": "salad"}]
    assert evaluate_decision(doc, "dish", {"month": 11}) == [{"dish": "stew"}]


def test_three_decisions_in_a_chain_with_a_literal_expression():
    xml = document(
        literal_decision("net", "gross - costs", "net"),
        decision("margin", inputs=[("Net", "net", "number"), ("Gross", "gross", "number")],
                 outputs=[("margin", "number")], rules=[(["-", "-"], ["net / gross"])], requires=["net"]),
        decision("rating", inputs=[("Margin", "margin", "number")], outputs=[("rating", "string")],
                 rules=[([">= 0.3"], ['"good"']), (["< 0.3"], ['"weak"'])], requires=["margin"]))
    doc = load_dmn(xml)
    assert evaluate_decision(doc, "rating", {"gross": 10, "costs": 6.5}) == [{"rating": "good"}]
    assert evaluate_decision(doc, "margin", {"gross": 10, "costs": 6.5}) == [{"margin": Decimal("0.35")}]
    assert evaluate_decision(doc, "rating", {"gross": 10, "costs": 7.1}) == [{"rating": "weak"}]


def test_a_collecting_required_decision_gives_lists():
    xml = document(
        decision("tags", inputs=[("N", "n", "number")], outputs=[("tag", "string")], hit_policy="COLLECT",
                 rules=[(["> 1"], ['"big"']), (["> 0"], ['"positive"'])]),
        decision("count", inputs=[("Tags", "tag", "")], outputs=[("k", "integer")],
                 rules=[(["-"], ["len(tag)"])], requires=["tags"]))
    # COLLECT always hands on lists, even for one match (Camunda 7)
    assert evaluate_decision(load_dmn(xml), "count", {"n": 5}) == [{"k": 2}]
    assert evaluate_decision(load_dmn(xml), "count", {"n": 0.5}) == [{"k": 1}]


def test_dmn_1_1_and_1_2_namespaces_are_read():
    for namespace in ("http://www.omg.org/spec/DMN/20151101/dmn.xsd", "http://www.omg.org/spec/DMN/20180521/MODEL/"):
        xml = document(decision("d", inputs=[("A", "a", "number")], outputs=[("b", "boolean")],
                                rules=[(["> 1"], ["true"])]), namespace=namespace)
        assert evaluate_decision(load_dmn(xml), "d", {"a": 2}) == [{"b": True}]


TWO_OUTPUTS = table(inputs=[("A", "a", "number")], outputs=[("x", "string"), ("y", "number")],
                    hit_policy="COLLECT", rules=[(["> 0"], ['"p"', "1"]), (["> 10"], ['"q"', "2"])])
ONE_OUTPUT = table(inputs=[("A", "a", "number")], outputs=[("x", "string")],
                   hit_policy="COLLECT", rules=[(["> 0"], ['"p"']), (["> 10"], ['"q"'])])


def test_map_decision_result_shapes():
    one, two = load_dmn(ONE_OUTPUT), load_dmn(TWO_OUTPUTS)
    assert decide(one, "decide", {"a": 1}, "singleEntry") == "p"
    assert decide(one, "decide", {"a": 0}, "singleEntry") is None
    assert decide(two, "decide", {"a": 1}, "singleResult") == {"x": "p", "y": Decimal(1)}
    assert decide(two, "decide", {"a": 0}, "singleResult") is None
    assert decide(one, "decide", {"a": 11}, "collectEntries") == ["p", "q"]
    assert decide(two, "decide", {"a": 11}, "resultList") == [{"x": "p", "y": 1}, {"x": "q", "y": 2}]
    assert decide(two, "decide", {"a": 11}) == decide(two, "decide", {"a": 11}, "resultList")


@pytest.mark.parametrize(("xml", "a", "mapping", "message"), [
    (TWO_OUTPUTS, 1, "singleEntry", "singleEntry needs a single output"),
    (ONE_OUTPUT, 11, "singleEntry", "singleEntry needs at most one result, got 2"),
    (TWO_OUTPUTS, 11, "singleResult", "singleResult needs at most one result, got 2"),
    (TWO_OUTPUTS, 1, "collectEntries", "collectEntries needs a single output"),
])
def test_map_decision_result_refuses_shapes_that_do_not_fit(xml, a, mapping, message):
    with pytest.raises(DecisionError, match=message):
        decide(load_dmn(xml), "decide", {"a": a}, mapping)


def test_unknown_mapping_is_refused():
    with pytest.raises(DecisionError, match="unknown mapDecisionResult 'everything'"):
        map_decision_result([], "everything")
