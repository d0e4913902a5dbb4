"""Hit policies: what each returns, and the errors that name the decision and rows."""
from decimal import Decimal

import pytest
from decision_tables import table

from app.engine.dmn.checks import load_dmn
from app.engine.dmn.evaluate import evaluate_decision
from app.engine.errors import DecisionError

AMOUNT = [("Amount", "amount", "number")]


def decide(xml, **variables):
    return evaluate_decision(load_dmn(xml), "decide", variables)


def test_unique_gives_the_one_matching_rule_or_nothing():
    xml = table(inputs=AMOUNT, outputs=[("size", "string")],
                rules=[(["< 10"], ['"small"']), (["[10..100]"], ['"medium"']), (["> 100"], ['"large"'])])
    assert decide(xml, amount=10) == [{"size": "medium"}]
    assert decide(xml, amount=100.5) == [{"size": "large"}]
    assert decide(xml, amount=None) == []


def test_unique_with_two_matches_names_the_rows():
    # The overlap involves a name, so the deploy check cannot decide it; evaluation refuses.
    xml = table(inputs=[("Amount", "amount", "number"), ("Limit", "limit", "number")],
                outputs=[("size", "string")],
                rules=[(["< limit", "-"], ['"under"']), (["> 1", "-"], ['"over one"'])])
    with pytest.raises(DecisionError, match=r"decision 'decide'.*UNIQUE.*rules 1, 2 match"):
        decide(xml, amount=5, limit=10)


def test_first_takes_the_first_match_in_table_order():
    xml = table(inputs=AMOUNT, outputs=[("size", "string")], hit_policy="FIRST",
                rules=[(["> 100"], ['"large"']), (["> 10"], ['"medium"']), (["-"], ['"small"'])])
    assert decide(xml, amount=500) == [{"size": "large"}]
    assert decide(xml, amount=50) == [{"size": "medium"}]
    assert decide(xml, amount=1) == [{"size": "small"}]


def test_priority_orders_by_output_values():
    xml = table(inputs=AMOUNT, outputs=[("level", "string")], hit_policy="PRIORITY",
                output_values={"level": '"high","medium","low"'},
                rules=[(["-"], ['"low"']), (["> 10"], ['"medium"']), (["> 100"], ['"high"'])])
    assert decide(xml, amount=1) == [{"level": "low"}]
    assert decide(xml, amount=50) == [{"level": "medium"}]
    assert decide(xml, amount=500) == [{"level": "high"}]


def test_any_accepts_agreeing_rules_and_names_disagreeing_ones():
    xml = table(inputs=AMOUNT, outputs=[("ok", "boolean")], hit_policy="ANY",
                rules=[(["> 10"], ["true"]), (["> 20"], ["true"]), (["> 30"], ["false"])])
    assert decide(xml, amount=25) == [{"ok": True}]
    with pytest.raises(DecisionError, match=r"decision 'decide'.*ANY.*rules 1, 2, 3 differ"):
        decide(xml, amount=35)


def test_collect_and_rule_order_give_every_match_in_order():
    for policy in ("COLLECT", "RULE ORDER"):
        xml = table(inputs=AMOUNT, outputs=[("tag", "string")], hit_policy=policy,
                    rules=[(["> 1"], ['"a"']), (["> 100"], ['"b"']), (["> 2"], ['"c"'])])
        assert decide(xml, amount=5) == [{"tag": "a"}, {"tag": "c"}]


@pytest.mark.parametrize(("aggregation", "expected"), [
    ("SUM", [{"points": Decimal("0.3")}]), ("MIN", [{"points": Decimal("0.1")}]),
    ("MAX", [{"points": Decimal("0.2")}]), ("COUNT", [{"points": 2}])])
def test_collect_aggregations_are_exact(aggregation, expected):
    xml = table(inputs=AMOUNT, outputs=[("points", "number")], hit_policy="COLLECT", aggregation=aggregation,
                rules=[(["> 1"], ["0.1"]), (["> 100"], ["5"]), (["> 2"], ["0.2"])])
    assert decide(xml, amount=5) == expected


@pytest.mark.parametrize(("aggregation", "expected"), [("SUM", []), ("MIN", []), ("MAX", []),
                                                        ("COUNT", [{"points": 0}])])
def test_collect_aggregations_of_nothing(aggregation, expected):
    xml = table(inputs=AMOUNT, outputs=[("points", "number")], hit_policy="COLLECT", aggregation=aggregation,
                rules=[(["> 1"], ["1"])])
    assert decide(xml, amount=0) == expected


def test_empty_output_entry_gives_no_entry():
    xml = table(inputs=AMOUNT, outputs=[("size", "string"), ("note", "string")],
                rules=[(["-"], ['"any"', ""])])
    assert decide(xml, amount=1) == [{"size": "any"}]
