"""Hit policies: from the matched rules (in table order) to the decision's result list.

UNIQUE and ANY refuse what they forbid, naming the rows; PRIORITY orders by the
outputValues of each output, left to right; COLLECT may aggregate its single
output. As in Camunda 7: COUNT counts the matched rules' non-null values (not
distinct ones) and is 0 when nothing matched; SUM, MIN and MAX of no values give
no result at all (an empty list).
"""
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import DecisionError
from . import feel
from .model import Decision, DecisionTable, OutputClause

Matched = tuple[int, dict[str, Any]]    # (1-based row, output name -> value)


def _rows(matched: Sequence[Matched]) -> str:
    return ", ".join(str(row) for row, _ in matched)


def _unique(decision: Decision, table: DecisionTable, matched: Sequence[Matched]) -> list[dict[str, Any]]:
    if len(matched) > 1:
        raise DecisionError(f"decision '{decision.id}': hit policy UNIQUE allows one matching rule, "
                            f"but rules {_rows(matched)} match")
    return [outputs for _, outputs in matched]


def _first(decision: Decision, table: DecisionTable, matched: Sequence[Matched]) -> list[dict[str, Any]]:
    return [matched[0][1]] if matched else []


def _any(decision: Decision, table: DecisionTable, matched: Sequence[Matched]) -> list[dict[str, Any]]:
    if any(outputs != matched[0][1] for _, outputs in matched):
        raise DecisionError(f"decision '{decision.id}': hit policy ANY needs all matching rules to give "
                            f"the same outputs, but rules {_rows(matched)} differ")
    return [matched[0][1]] if matched else []


def priority_values(output: OutputClause) -> list[Any]:
    """The output's allowed values in priority order (highest first), from outputValues."""
    if output.output_values is None:
        return []
    tests = feel.parse_unary_tests(output.output_values.text)
    return [t.endpoint.literal for t in tests.tests if isinstance(t, feel.Equals)]


def _priority(decision: Decision, table: DecisionTable, matched: Sequence[Matched]) -> list[dict[str, Any]]:
    orders = [(o.name, priority_values(o)) for o in table.outputs]

    def rank(item: Matched) -> tuple[int, ...]:
        outputs = item[1]
        return tuple(values.index(outputs.get(name)) if outputs.get(name) in values else len(values)
                     for name, values in orders if values)
    return [min(matched, key=rank)[1]] if matched else []     # min is stable: ties go to the first rule


def _all(decision: Decision, table: DecisionTable, matched: Sequence[Matched]) -> list[dict[str, Any]]:
    return [outputs for _, outputs in matched]


def _aggregate(decision: Decision, table: DecisionTable, matched: Sequence[Matched]) -> list[dict[str, Any]]:
    name = table.outputs[0].name
    values = [outputs[name] for _, outputs in matched if outputs.get(name) is not None]
    if table.aggregation == "COUNT":
        return [{name: len(values)}]
    if not values:
        return []
    try:
        if table.aggregation == "SUM":
            return [{name: sum(values[1:], start=values[0])}]
        return [{name: (min if table.aggregation == "MIN" else max)(values)}]
    except TypeError:
        raise DecisionError(f"decision '{decision.id}': COLLECT {table.aggregation} needs numbers, "
                            f"rules {_rows(matched)} give {values!r}") from None


_POLICIES: dict[str, Callable[[Decision, DecisionTable, Sequence[Matched]], list[dict[str, Any]]]] = {
    "UNIQUE": _unique, "FIRST": _first, "PRIORITY": _priority, "ANY": _any,
    "COLLECT": _all, "RULE ORDER": _all,
}


def apply(decision: Decision, table: DecisionTable, matched: Sequence[Matched]) -> list[dict[str, Any]]:
    if table.hit_policy == "COLLECT" and table.aggregation:
        return _aggregate(decision, table, matched)
    policy = _POLICIES.get(table.hit_policy)
    if policy is None:
        raise DecisionError(f"decision '{decision.id}': hit policy '{table.hit_policy}' is not supported")
    return policy(decision, table, matched)
