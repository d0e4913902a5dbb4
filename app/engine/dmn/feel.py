"""Input entries: the S-FEEL unary tests Camunda Modeler writes, read into a small AST.

Supported forms (comma-separated alternatives, optionally inside `not(...)`):

    -  or empty            any value
    3   -2.5   "text"      a literal (numbers are Decimal), true, false, null, date("2024-05-01")
    < 3   <= x   >= 4.0    a comparison with a literal or an expression
    [1..5]  ]1..5[  (1..5)  [2.5..4.0[   an interval; ] or ( open it on that side
    anything else          an expression for the restricted evaluator, compared for equality

Expressions (comparison operands, equality tests, interval names) go through
`expressions.evaluate_exact`; nothing here evaluates code of its own. A value of
another type than the test's (text against a number, null against `< 3`) does
not match, as in FEEL.
"""
from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .. import expressions
from ..errors import N_, ExplainedError

_NUMBER = r"-?\d+(?:\.\d+)?"
_STRING = r'"(?:[^"\\]|\\.)*"'
_DATE = r'date\(\s*"[^"]*"\s*\)'
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_SIMPLE = f"{_NUMBER}|{_STRING}|{_DATE}|{_NAME}"
_INTERVAL = re.compile(rf"\s*([\[\]\(])\s*({_SIMPLE})\s*\.\.\s*({_SIMPLE})\s*([\[\]\)])\s*")
_COMPARISON = re.compile(r"^(<=|>=|<|>)\s*(.+)$", re.S)
_NOT = re.compile(r"^not\s*\((.*)\)$", re.S)
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class FeelError(ExplainedError):
    """An input entry outside the supported S-FEEL subset."""


@dataclass(frozen=True)
class Endpoint:
    """A literal value, or an expression evaluated over the decision's variables."""
    text: str
    literal: Any = None
    is_literal: bool = True

    def value(self, context: Mapping[str, Any]) -> Any:
        return self.literal if self.is_literal else expressions.evaluate_exact(self.text, context)


@dataclass(frozen=True)
class Equals:
    endpoint: Endpoint


@dataclass(frozen=True)
class Comparison:
    op: str
    endpoint: Endpoint


@dataclass(frozen=True)
class Interval:
    low: Endpoint
    low_closed: bool
    high: Endpoint
    high_closed: bool


Test = Equals | Comparison | Interval


@dataclass(frozen=True)
class UnaryTests:
    tests: tuple[Test, ...]        # empty: any value
    negated: bool = False

    @property
    def is_any(self) -> bool:
        return not self.tests

    def endpoints(self) -> list[Endpoint]:
        found: list[Endpoint] = []
        for test in self.tests:
            found.extend((test.low, test.high) if isinstance(test, Interval) else (test.endpoint,))
        return found


def literal(text: str) -> tuple[bool, Any]:
    """(True, value) when the text is a literal; (False, None) otherwise."""
    text = text.strip()
    if re.fullmatch(_NUMBER, text):
        return True, Decimal(text)
    if re.fullmatch(_STRING, text, re.S):
        return True, re.sub(r"\\(.)", r"\1", text[1:-1])
    if text in ("true", "false"):
        return True, text == "true"
    if text == "null":
        return True, None
    if re.fullmatch(_DATE, text):
        inner = text[text.index('"') + 1:text.rindex('"')]
        try:
            return True, date.fromisoformat(inner)
        except ValueError:
            raise FeelError(N_("'%(text)s' is not a valid date (use date(\"YYYY-MM-DD\"))"), text=text) from None
    return False, None


def _endpoint(text: str) -> Endpoint:
    text = text.strip()
    is_literal, value = literal(text)
    if is_literal:
        return Endpoint(text, value)
    problems = expressions.expression_problems(text)
    if problems:
        raise FeelError(problems)
    return Endpoint(text, is_literal=False)


def names_in(endpoint: Endpoint) -> set[str]:
    """Free variable names an expression endpoint reads."""
    return set() if endpoint.is_literal else free_names(endpoint.text)


def free_names(expression: str) -> set[str]:
    """Variable names an expression reads (comprehension variables excluded); empty if it
    does not parse (the expression check reports that)."""
    try:
        tree = ast.parse(expressions.unwrap(expression), mode="eval")
    except SyntaxError:
        return set()
    bound = {n.id for c in ast.walk(tree) if isinstance(c, ast.comprehension)
             for n in ast.walk(c.target) if isinstance(n, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


def _code_chars(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of every character of `text` from `start` that is outside its "string" literals."""
    index, in_string = start, False
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        else:
            yield index, char
        index += 1


def _scan_to_comma(text: str, start: int) -> int:
    depth = 0
    for index, char in _code_chars(text, start):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            return index
    return len(text)


def _split_items(text: str) -> list[str]:
    # An interval such as ]1..5[ has unbalanced brackets: it is taken whole before scanning.
    items, position = [], 0
    while True:
        match = _INTERVAL.match(text, position)
        if match and (match.end() == len(text) or text[match.end()] == ","):
            end = match.end()
        else:
            end = _scan_to_comma(text, position)
        items.append(text[position:end])
        if end >= len(text):
            return items
        position = end + 1


def _balanced(text: str) -> bool:
    """Whether `not(` ... `)` enclose the whole text (`not(a) or (b)` is not a negation)."""
    depth = 0
    for _index, char in _code_chars(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _test(item: str) -> Test:
    item = item.strip()
    if not item:
        raise FeelError(N_("an empty alternative in a list (a stray comma?)"))
    interval = _INTERVAL.fullmatch(item)
    if interval:
        opener, low, high, closer = interval.groups()
        return Interval(_endpoint(low), opener == "[", _endpoint(high), closer == "]")
    comparison = _COMPARISON.match(item)
    if comparison:
        return Comparison(comparison.group(1), _endpoint(comparison.group(2)))
    if item == "-":
        raise FeelError(N_("'-' (any value) cannot be one alternative of a list"))
    return Equals(_endpoint(item))


@lru_cache(maxsize=4096)
def parse_unary_tests(text: str) -> UnaryTests:
    """Read an input entry, or raise FeelError saying why it is outside the subset."""
    text = text.strip()
    if text in ("", "-"):
        return UnaryTests(())
    negated = _NOT.match(text)
    if negated and _balanced(negated.group(1)):
        inner = negated.group(1).strip()
        if inner in ("", "-"):
            raise FeelError(N_("not(...) needs the values to exclude"))
        return UnaryTests(tuple(_test(item) for item in _split_items(inner)), negated=True)
    return UnaryTests(tuple(_test(item) for item in _split_items(text)))


def _same_kind(left: Any, right: Any) -> bool:
    # True == Decimal(1) in Python; in FEEL a boolean is never a number.
    return isinstance(left, bool) == isinstance(right, bool)


def _holds(op: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    if left is None or right is None or not _same_kind(left, right):
        return False
    try:
        return bool(op(left, right))
    except TypeError:          # text against a number, a date against a number …
        return False


def _test_matches(test: Test, value: Any, context: Mapping[str, Any]) -> bool:
    if isinstance(test, Equals):
        expected = test.endpoint.value(context)
        return _same_kind(value, expected) and bool(value == expected)
    if isinstance(test, Comparison):
        return _holds(_OPERATORS[test.op], value, test.endpoint.value(context))
    low_ok = _holds(operator.le if test.low_closed else operator.lt, test.low.value(context), value)
    return low_ok and _holds(operator.le if test.high_closed else operator.lt, value, test.high.value(context))


def matches(tests: UnaryTests, value: Any, context: Mapping[str, Any]) -> bool:
    if tests.is_any:
        return True
    found = any(_test_matches(test, value, context) for test in tests.tests)
    return found != tests.negated
