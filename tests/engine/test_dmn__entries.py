"""Input entries (the S-FEEL subset), typeRefs and exact decimals."""
from datetime import date
from decimal import Decimal

import pytest
from decision_tables import table

from app.engine.dmn.checks import load_dmn
from app.engine.dmn.evaluate import evaluate_decision
from app.engine.dmn.feel import FeelError, matches, parse_unary_tests
from app.engine.errors import DecisionError


def entry_matches(entry, value, **context):
    return matches(parse_unary_tests(entry), value, context)


@pytest.mark.parametrize(("entry", "value", "expected"), [
    ("-", "anything", True), ("", None, True),
    ("3", Decimal(3), True), ("3", 3, True), ("3", Decimal("3.0"), True), ("3", 4, False),
    ("-2.5", Decimal("-2.5"), True),
    ('"steel"', "steel", True), ('"steel"', "Steel", False), ('"say \\"hi\\""', 'say "hi"', True),
    ("true", True, True), ("true", 1, False), ("false", False, True), ("null", None, True),
    ('date("2024-05-01")', date(2024, 5, 1), True),
    ("< 3", Decimal("2.99"), True), ("< 3", 3, False), ("<= 2.5", Decimal("2.5"), True),
    (">= 4.0", Decimal("4.0"), True), (">= 4.0", Decimal("3.99"), False), ("> 1", 1, False),
    ("[1..5]", 1, True), ("[1..5]", 5, True), ("[1..5]", Decimal("5.01"), False),
    ("]1..5[", 1, False), ("]1..5[", 5, False), ("]1..5[", 3, True),
    ("(1..5)", 1, False), ("(1..5)", 2, True), ("(1..5]", 5, True),
    ("[2.5..4.0[", Decimal("2.5"), True), ("[2.5..4.0[", Decimal("3.99"), True), ("[2.5..4.0[", Decimal("4.0"), False),
    ('"a","b"', "b", True), ('"a","b"', "c", False), ("1, [5..7], > 100", 6, True), ("1, [5..7], > 100", 8, False),
    ('not("a","b")', "c", True), ('not("a","b")', "a", False), ("not(< 3)", 5, True), ("not([1..5])", 3, False),
    ("< 3", None, False), ("< 3", "text", False), ('"3"', 3, False),
])
def test_unary_tests(entry, value, expected):
    assert entry_matches(entry, value) is expected


def test_names_and_expressions_in_entries():
    assert entry_matches("> limit", 11, limit=10) is True
    assert entry_matches("[low..high]", 5, low=1, high=5) is True
    assert entry_matches("limit * 2", 20, limit=10) is True           # a plain expression: equality
    assert entry_matches('"x", other', "y", other="y") is True
    assert entry_matches("len(items)", 2, items=["a", "b"]) is True


@pytest.mark.parametrize("entry", [
    "__import__('os')", "x.__class__", "().__class__.__bases__", "open('/etc/passwd')", "lambda: 1",
    '"a",', "not()", "[1..]", "exec('1')"])
def test_entries_outside_the_subset_are_refused(entry):
    with pytest.raises(FeelError):
        parse_unary_tests(entry)


def test_number_typeref_makes_floats_exact_decimals():
    xml = table(inputs=[("Amount", "amount", "number")], outputs=[("total", "number")],
                rules=[(["-"], ["amount + 0.2"])])
    [result] = evaluate_decision(load_dmn(xml), "decide", {"amount": 0.1})
    assert result == {"total": Decimal("0.3")} and isinstance(result["total"], Decimal)


def test_output_arithmetic_is_exact():
    xml = table(inputs=[("A", "a", "number")], outputs=[("x", "number"), ("y", "number"), ("n", "integer")],
                rules=[(["-"], ["a * 0.1 * 3", "7 / 2", "7"])])
    [result] = evaluate_decision(load_dmn(xml), "decide", {"a": 1})
    assert result["x"] == Decimal("0.3")
    assert result["y"] == Decimal("3.5")        # int / int is a Decimal, not a float
    assert result["n"] == 7 and type(result["n"]) is int


def test_typeref_refuses_a_value_that_does_not_fit():
    xml = table(inputs=[("Amount", "amount", "number")], outputs=[("ok", "boolean")], rules=[(["-"], ["true"])])
    with pytest.raises(DecisionError, match=r"decision 'decide', input 'Amount' \(number\).*expected a number"):
        evaluate_decision(load_dmn(xml), "decide", {"amount": "a lot"})
    assert evaluate_decision(load_dmn(xml), "decide", {"amount": "12.50"}) == [{"ok": True}]


def test_string_boolean_and_date_typerefs():
    xml = table(inputs=[("Name", "name", "string"), ("Urgent", "urgent", "boolean"), ("Due", "due", "date")],
                outputs=[("hit", "boolean")],
                rules=[(['"x"', "true", '< date("2025-01-01")'], ["true"])])
    document = load_dmn(xml)
    assert evaluate_decision(document, "decide", {"name": "x", "urgent": "true", "due": "2024-12-31"}) == [{"hit": True}]
    assert evaluate_decision(document, "decide", {"name": "x", "urgent": True, "due": "2025-01-01"}) == []


def test_missing_variable_names_decision_and_input():
    xml = table(inputs=[("Amount", "amount", "number")], outputs=[("ok", "boolean")], rules=[(["-"], ["true"])])
    with pytest.raises(DecisionError, match=r"decision 'decide', input 'Amount'.*amount"):
        evaluate_decision(load_dmn(xml), "decide", {})
