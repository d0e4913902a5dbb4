"""How the approvers of a step with several approvers decide: one rule per approval mode.

A BPMN user task is one engine task; its approvers are inbox rows. The engine
task completes once the step's mode has a result:
- or_sign (或签): the first decision decides;
- countersign (会签): every approver must approve; a rejection or return decides at once;
- sequential (依次审批): approvers in the plan's order, each row created when the previous approved;
- vote (票签): approve when approvals / approvers >= votePassRate; reject once that can no longer happen.

`MODES` maps each mode to its rule; nothing here reads or writes the database.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ....engine.steps import ApprovalMode
from ....models.states import TaskStatus


class Signed(Protocol):
    """An inbox row of the step, as far as the rules look at it."""
    status: str
    decision: str | None
    completed_by: Any


def _decisions(rows: Sequence[Signed]) -> list[str | None]:
    return [r.decision for r in rows if r.status == TaskStatus.COMPLETED]


def _first_decisive(decisions: list[str | None]) -> str | None:
    for decisive in ("reject", "return"):
        if decisive in decisions:
            return decisive
    return None


@dataclass(frozen=True)
class Rule(ABC):
    """One approval mode: who gets a row when the step opens, and when the step is decided."""
    one_at_a_time: bool = False

    def first_approvers(self, plan: list[str]) -> list[str]:
        return plan[:1] if self.one_at_a_time else list(plan)

    @abstractmethod
    def decide(self, rows: Sequence[Signed], plan: list[str], rate: float) -> str | None:
        """'approve' / 'return' / 'reject' once the signatures so far decide the step, else None."""


class OrSign(Rule):
    def decide(self, rows, plan, rate):
        decisions = _decisions(rows)
        return decisions[0] if decisions else "approve"


class AllMustApprove(Rule):
    """Countersign, and sequential (the same rule, one approver at a time)."""

    def decide(self, rows, plan, rate):
        decisive = _first_decisive(_decisions(rows))
        if decisive is not None:
            return decisive
        signed = {r.completed_by.username for r in rows     # (a timeout decides with nobody's signature)
                  if r.status == TaskStatus.COMPLETED and r.decision == "approve" and r.completed_by is not None}
        return "approve" if all(u in signed for u in plan) else None


class Vote(Rule):
    def decide(self, rows, plan, rate):
        decisions = _decisions(rows)
        total = len(plan) or 1
        approvals = sum(1 for d in decisions if d == "approve")
        against = len(decisions) - approvals
        if approvals / total >= rate:
            return "approve"
        if (total - against) / total < rate:
            return "reject"
        return None


MODES: dict[str, Rule] = {
    ApprovalMode.OR_SIGN: OrSign(),
    ApprovalMode.COUNTERSIGN: AllMustApprove(),
    ApprovalMode.SEQUENTIAL: AllMustApprove(one_at_a_time=True),
    ApprovalMode.VOTE: Vote(),
}


def evaluate(mode: str, rows: Sequence[Signed], plan: list[str], rate: float) -> str | None:
    """The step's decision so far: 'approve' / 'return' / 'reject', or None while undecided."""
    if not _decisions(rows) and plan:
        return None
    rule = MODES.get(mode)
    if rule is None:        # a single approver: their decision
        decisions = _decisions(rows)
        return decisions[-1] if decisions else None
    return rule.decide(rows, plan, rate)
