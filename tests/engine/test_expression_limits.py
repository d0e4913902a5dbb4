"""An expression cannot block a worker: big numbers, long strings and long evaluations are refused
quickly with a clear message (at deploy when the expression is constant, else when evaluated)."""
import time

import pytest

from app.engine import expression_limits
from app.engine.errors import ExpressionError
from app.engine.expressions import check_expression, evaluate, evaluate_exact

QUICKLY = 3   # seconds: unbounded, these would run for minutes; the margin is for a loaded CI machine


@pytest.mark.parametrize("text", ["1000000**1000000 > 1", "'x' * 10**9", "[0] * 10**7", "1 << 10**6",
                                  "(10**1000) * (10**1000) * (10**1000) > 0"])
def test_constants_too_large_are_refused_at_deploy(text):
    began = time.monotonic()
    (problem,) = check_expression(text)
    assert time.monotonic() - began < QUICKLY
    assert "too large to compute" in problem


@pytest.mark.parametrize("text", ["2**64 > 0", "'-' * 80", "10**100 > x", "x ** 2 > 1"])
def test_modest_expressions_pass(text):
    assert check_expression(text) == []


@pytest.mark.parametrize(("text", "data"), [
    ("base ** power > 1", {"base": 1000000, "power": 1000000}),
    ("len(text * times) > 0", {"text": "abc", "times": 10**8}),
    ("big * big > 0", {"big": 10**1000}),
])
@pytest.mark.parametrize("evaluator", [evaluate, evaluate_exact])
def test_values_too_large_fail_quickly_at_run_time(text, data, evaluator):
    began = time.monotonic()
    with pytest.raises(ExpressionError, match="too large to compute"):
        evaluator(text, data)
    assert time.monotonic() - began < QUICKLY


def test_an_evaluation_taking_too_many_steps_is_stopped():
    items = list(range(10_000))
    text = "len([i for i in items if i >= 0 and i < 10**6 and i != -1 and i + 1 > 0 and i * 2 >= 0])"
    began = time.monotonic()
    with pytest.raises(ExpressionError, match="steps|seconds"):
        evaluate(text, {"items": items})
    assert time.monotonic() - began < QUICKLY
    assert evaluate("len([i for i in items if i > 9990])", {"items": items}) == 9   # the budget is per call


def test_the_time_budget_stops_an_evaluation(monkeypatch):
    monkeypatch.setattr(expression_limits, "MAX_SECONDS", -1.0)     # already past its deadline
    with pytest.raises(ExpressionError, match="seconds"):
        evaluate("a + 1", {"a": 1})


@pytest.mark.parametrize("evaluator", [evaluate, evaluate_exact])
def test_a_join_is_refused_before_it_builds_a_huge_string(evaluator):
    began = time.monotonic()
    with pytest.raises(ExpressionError, match="too large to compute"):
        evaluator("len('-'.join(['x' * 90000] * 100000)) > 0", {})
    assert time.monotonic() - began < QUICKLY
    with pytest.raises(ExpressionError, match="too large to compute"):
        evaluator("len(''.join(parts))", {"parts": ["y" * 60_000, "z" * 60_000]})
    assert evaluator("', '.join(names)", {"names": ["甲", "乙"]}) == "甲, 乙"
