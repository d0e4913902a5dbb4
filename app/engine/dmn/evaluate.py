"""Evaluating a decision and its requirement graph; Camunda's mapDecisionResult.

A decision's required decisions are evaluated first (depth first, each once),
and their results join the variables, as Camunda 7 does: one result from a
decision that is not a collecting table (COLLECT without aggregation, RULE
ORDER) adds its output entries by output name; several results, or any result
of a collecting table, add each output name with the list of its values; no
result adds nothing. Those names hide case data of the same name.
"""
from collections.abc import Mapping
from typing import Any

from ..errors import DecisionError, ExpressionError
from ..expressions import evaluate_exact, exact_number
from . import feel, hit_policies
from .model import Decision, DecisionTable, DmnDocument, LiteralExpression
from .values import coerce

MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


def evaluate_decision(document: DmnDocument, decision_id: str,
                      variables: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The decision's result list (one dict of output name -> value per rule kept by the hit
    policy), after evaluating the decisions it requires. Raises DecisionError."""
    if decision_id not in document.decisions:
        raise DecisionError(f"decision '{decision_id}' is not in this DMN document")
    context: dict[str, Any] = exact_number(dict(variables))
    for required in _requirement_order(document, decision_id):
        _add_to_context(document.decisions[required], _evaluate_one(document.decisions[required], context),
                        context)
    return _evaluate_one(document.decisions[decision_id], context)


def decide(document: DmnDocument, decision_id: str, variables: Mapping[str, Any],
           mapping: str = "resultList") -> Any:
    """Evaluate and shape the result as a business-rule task's camunda:mapDecisionResult does."""
    return map_decision_result(evaluate_decision(document, decision_id, variables), mapping, decision_id)


def map_decision_result(results: list[dict[str, Any]], mapping: str, decision_id: str = "?") -> Any:
    """singleEntry: the one value of the one result (None when nothing matched); singleResult:
    the one result dict (or None); collectEntries: the single output's values; resultList: all."""
    if mapping == "resultList":
        return results
    if mapping in ("singleEntry", "singleResult") and len(results) > 1:
        raise DecisionError(f"decision '{decision_id}': {mapping} needs at most one result, got {len(results)}")
    if mapping in ("singleEntry", "collectEntries") and any(len(r) > 1 for r in results):
        raise DecisionError(f"decision '{decision_id}': {mapping} needs a single output per result, "
                            f"got {sorted(results[0])}")
    if mapping == "singleResult":
        return results[0] if results else None
    if mapping == "singleEntry":
        return next(iter(results[0].values()), None) if results else None
    if mapping == "collectEntries":
        return [value for result in results for value in result.values()]
    raise DecisionError(f"unknown mapDecisionResult '{mapping}' (use {', '.join(MAPPINGS)})")


def _requirement_order(document: DmnDocument, decision_id: str) -> list[str]:
    """The decisions `decision_id` requires, directly or not, each after those it requires."""
    order: list[str] = []
    visiting: list[str] = []

    def visit(current: str) -> None:
        if current in order:
            return
        if current in visiting:
            raise DecisionError(f"decisions require each other in a cycle: {' -> '.join([*visiting, current])}")
        if current not in document.decisions:
            raise DecisionError(f"decision '{visiting[-1]}' requires '{current}', which is not in the document")
        visiting.append(current)
        for required in document.decisions[current].required:
            visit(required)
        visiting.pop()
        order.append(current)

    visit(decision_id)
    return order[:-1]


def _add_to_context(decision: Decision, results: list[dict[str, Any]], context: dict[str, Any]) -> None:
    collects = isinstance(decision.logic, DecisionTable) and decision.logic.collects
    if len(results) == 1 and not collects:
        context.update(results[0])
    elif results:
        for name in dict.fromkeys(n for result in results for n in result):
            context[name] = [result[name] for result in results if name in result]


def _evaluate_one(decision: Decision, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    if isinstance(decision.logic, LiteralExpression):
        literal = decision.logic
        value = _value(decision, f"literal expression '{literal.variable}'", literal.text, context)
        return [{literal.variable: _typed(decision, literal.variable, value, literal.type_ref)}]
    if isinstance(decision.logic, DecisionTable):
        return _evaluate_table(decision, decision.logic, context)
    raise DecisionError(f"decision '{decision.id}' has neither a decision table nor a literal expression")


def _evaluate_table(decision: Decision, table: DecisionTable, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    inputs = [_typed(decision, f"input '{clause.title}'",
                     _value(decision, f"input '{clause.title}'", clause.expression, context), clause.type_ref)
              for clause in table.inputs]
    matched: list[hit_policies.Matched] = []
    for rule in table.rules:
        if all(_entry_matches(decision, rule.row, clause.title, cell.text, value, context)
               for clause, cell, value in zip(table.inputs, rule.inputs, inputs, strict=True)):
            outputs = {}
            for clause, cell in zip(table.outputs, rule.outputs, strict=True):
                if cell.text:      # an empty output entry gives no entry at all (Camunda 7)
                    where = f"rule {rule.row}, output '{clause.title}'"
                    outputs[clause.name] = _typed(decision, where, _value(decision, where, cell.text, context),
                                                  clause.type_ref)
            matched.append((rule.row, outputs))
    return hit_policies.apply(decision, table, matched)


def _entry_matches(decision: Decision, row: int, column: str, text: str, value: Any,
                   context: Mapping[str, Any]) -> bool:
    try:
        return feel.matches(feel.parse_unary_tests(text), value, context)
    except (feel.FeelError, ExpressionError) as exc:
        raise DecisionError(f"decision '{decision.id}', rule {row}, input '{column}': {exc}") from None


def _value(decision: Decision, where: str, text: str, context: Mapping[str, Any]) -> Any:
    try:
        return evaluate_exact(text, context)
    except ExpressionError as exc:
        raise DecisionError(f"decision '{decision.id}', {where}: {exc}") from None


def _typed(decision: Decision, where: str, value: Any, type_ref: str | None) -> Any:
    try:
        return coerce(value, type_ref)
    except ValueError as exc:
        raise DecisionError(f"decision '{decision.id}', {where} ({type_ref}): {exc}") from None
