"""The parsed DMN document: immutable, shareable between threads, free of lxml.

Texts are kept as written; `feel` and the restricted evaluator read them (each
text is parsed once per process and cached). Rows are 1-based, as the modeler
shows them; `line` is the source line of the element, for messages.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
# DMN typeRefs we coerce to (see values.py); no typeRef leaves a value as it is.
TYPE_REFS = ("string", "boolean", "integer", "long", "double", "number", "date")


@dataclass(frozen=True)
class Cell:
    """One input or output entry of a rule (also an output clause's outputValues text)."""
    id: str | None
    text: str
    line: int | None


@dataclass(frozen=True)
class InputClause:
    id: str | None
    label: str
    expression: str
    type_ref: str | None
    line: int | None

    @property
    def title(self) -> str:
        return self.label or self.expression or (self.id or "?")


@dataclass(frozen=True)
class OutputClause:
    id: str | None
    label: str
    name: str
    type_ref: str | None
    output_values: Cell | None     # `"a","b"`: the priority order for PRIORITY
    line: int | None

    @property
    def title(self) -> str:
        return self.label or self.name or (self.id or "?")


@dataclass(frozen=True)
class Rule:
    id: str | None
    row: int                       # 1-based
    inputs: tuple[Cell, ...]
    outputs: tuple[Cell, ...]
    line: int | None


@dataclass(frozen=True)
class DecisionTable:
    id: str | None
    hit_policy: str
    aggregation: str | None
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rules: tuple[Rule, ...]
    line: int | None

    @property
    def collects(self) -> bool:
        """A list-shaped result (Camunda: COLLECT without aggregation, RULE ORDER)."""
        return self.hit_policy == "RULE ORDER" or (self.hit_policy == "COLLECT" and not self.aggregation)


@dataclass(frozen=True)
class LiteralExpression:
    id: str | None
    variable: str                  # the result's name: <variable name="...">, else the decision id
    type_ref: str | None
    text: str
    line: int | None


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    required: tuple[str, ...]      # ids of required decisions, as written (href without '#')
    logic: DecisionTable | LiteralExpression | None
    line: int | None

    @property
    def output_names(self) -> tuple[str, ...]:
        if isinstance(self.logic, DecisionTable):
            return tuple(o.name for o in self.logic.outputs)
        if isinstance(self.logic, LiteralExpression):
            return (self.logic.variable,)
        return ()


@dataclass(frozen=True, eq=False)
class DmnDocument:
    """A whole .dmn file: its decisions by id, and the source it was read from (kept so a
    definition that uses it can be stored, hashed and rebuilt with exactly these rules)."""
    id: str
    name: str
    decisions: dict[str, Decision]
    source: str = field(repr=False)
    filename: str | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    def decision(self, decision_id: str) -> Decision:
        return self.decisions[decision_id]
