"""Errors the engine reports to its callers in words an administrator can act on."""
from typing import Any


class DiagramError(ValueError):
    """A diagram that cannot be deployed. Names the element and, when known, the line."""

    def __init__(self, message: str, element_id: str | None = None, line: int | None = None,
                 filename: str | None = None) -> None:
        self.message = message
        self.element_id = element_id
        self.line = line
        self.filename = filename
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.filename:
            where.append(self.filename)
        if self.line:
            where.append(f"line {self.line}")
        if self.element_id:
            where.append(f"element '{self.element_id}'")
        prefix = f"{', '.join(where)}: " if where else ""
        return prefix + self.message

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "element": self.element_id,
                "line": self.line, "file": self.filename}


class ExpressionError(ValueError):
    """An expression refused by, or failing in, the restricted evaluator."""


class ServiceCallError(RuntimeError):
    """A service task named a handler that is not whitelisted, or the handler failed."""


class DecisionError(RuntimeError):
    """A DMN decision could not give a result: names the decision and, where it applies,
    the rule rows (1-based, as the modeler shows them) and the column."""
