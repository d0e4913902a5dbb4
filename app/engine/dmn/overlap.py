"""Whether two rules of a UNIQUE table can match the same inputs, where that can be decided.

Each input entry is read as a region: any value, or a union of number intervals
and discrete literals (texts, booleans, dates, null). Two rules overlap when their
regions intersect in every column. An entry with a name, an expression or not(...)
cannot be decided statically; a pair of rules with such a column is not judged.
"""
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import feel


@dataclass(frozen=True)
class Bound:
    value: Decimal | None      # None: unbounded
    closed: bool


Span = tuple[Bound, Bound]


@dataclass(frozen=True)
class Region:
    spans: tuple[Span, ...] = ()
    literals: frozenset[tuple[str, Any]] = frozenset()
    any_value: bool = False


ANY = Region(any_value=True)
_UNBOUNDED = Bound(None, False)


def _number(endpoint: feel.Endpoint) -> Decimal | None:
    value = endpoint.literal
    if endpoint.is_literal and isinstance(value, Decimal):
        return value
    return None


def region(tests: feel.UnaryTests) -> Region | None:
    """The entry as a region, or None when it cannot be decided statically."""
    if tests.is_any:
        return ANY
    if tests.negated:
        return None
    spans: list[Span] = []
    literals: set[tuple[str, Any]] = set()
    for test in tests.tests:
        if isinstance(test, feel.Equals):
            if not test.endpoint.is_literal:
                return None
            number = _number(test.endpoint)
            if number is not None:
                spans.append((Bound(number, True), Bound(number, True)))
            else:
                literals.add((type(test.endpoint.literal).__name__, test.endpoint.literal))
        elif isinstance(test, feel.Comparison):
            number = _number(test.endpoint)
            if number is None:
                return None
            bound = Bound(number, test.op in ("<=", ">="))
            spans.append((_UNBOUNDED, bound) if test.op.startswith("<") else (bound, _UNBOUNDED))
        else:
            low, high = _number(test.low), _number(test.high)
            if low is None or high is None:
                return None
            spans.append((Bound(low, test.low_closed), Bound(high, test.high_closed)))
    return Region(tuple(spans), frozenset(literals))


def _spans_meet(a: Span, b: Span) -> bool:
    lows = [bound for bound in (a[0], b[0]) if bound.value is not None]
    highs = [bound for bound in (a[1], b[1]) if bound.value is not None]
    if not lows or not highs:
        return True
    low_value = max(bound.value for bound in lows if bound.value is not None)
    high_value = min(bound.value for bound in highs if bound.value is not None)
    low_closed = all(bound.closed for bound in lows if bound.value == low_value)
    high_closed = all(bound.closed for bound in highs if bound.value == high_value)
    return low_value < high_value or (low_value == high_value and low_closed and high_closed)


def _nonempty(span: Span) -> bool:
    return _spans_meet(span, (_UNBOUNDED, _UNBOUNDED))


def intersect(a: Region, b: Region) -> bool:
    if a.any_value or b.any_value:
        return True
    if a.literals & b.literals:
        return True
    return any(_nonempty(x) and _nonempty(y) and _spans_meet(x, y) for x in a.spans for y in b.spans)
