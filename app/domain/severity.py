"""Problem severity (standard App. D): three scores, a weighted total, a grade.

The independent reference calculation: the business-rule task (rules/problem_severity.dmn,
once it lands) replaces it in the processes, and the tests compare the DMN against this.
Exact decimals throughout: 4.0 must be 4.0, not 3.9999999999999996.
"""
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

WEIGHTS = {"impact": Decimal("0.4"), "diffusion": Decimal("0.3"), "urgency": Decimal("0.3")}
CRITICAL_FROM = Decimal("4.0")
IMPORTANT_FROM = Decimal("2.5")
LOWEST, HIGHEST = Decimal(1), Decimal(5)

CRITICAL, IMPORTANT, GENERAL = "critical", "important", "general"
GRADES = (CRITICAL, IMPORTANT, GENERAL)
STARS = {CRITICAL: 3, IMPORTANT: 2, GENERAL: 1}


class ScoreError(ValueError):
    """A score is not a number from 1 to 5 with at most one decimal; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def score(field: str, value: object) -> Decimal:
    """A dimension's score (an expert panel's mean: one decimal) as an exact Decimal. A float (JSON form
    data) is read through its shortest text, so 4.3 is 4.3, not 4.29999…"""
    number = _in_range(field, value)
    if number != number.quantize(Decimal("0.1")):
        raise ScoreError(field, f"{field} has at most one decimal")
    return number.quantize(Decimal("0.1"))


def weighted_total(impact: Decimal, diffusion: Decimal, urgency: Decimal) -> Decimal:
    """impact × 0.4 + diffusion × 0.3 + urgency × 0.3, to two decimals (exact for scores of one decimal)."""
    total = impact * WEIGHTS["impact"] + diffusion * WEIGHTS["diffusion"] + urgency * WEIGHTS["urgency"]
    return total.quantize(Decimal("0.01"))


def grade_of(total: Decimal) -> str:
    """≥ 4.0 critical, ≥ 2.5 important, else general (App. D)."""
    if total >= CRITICAL_FROM:
        return CRITICAL
    if total >= IMPORTANT_FROM:
        return IMPORTANT
    return GENERAL


def assess(impact: object, diffusion: object, urgency: object) -> tuple[Decimal, Decimal, Decimal, Decimal, str]:
    """Checked scores, their total and grade: (impact, diffusion, urgency, total, grade)."""
    i, d, u = score("impact_score", impact), score("diffusion_score", diffusion), score("urgency_score", urgency)
    total = weighted_total(i, d, u)
    return i, d, u, total, grade_of(total)


def panel_mean(field: str, scores: Sequence[object]) -> Decimal:
    """One dimension's score from several experts: the mean of their scores, rounded half up to one
    decimal (3.25 -> 3.3, 3.24 -> 3.2), which is the precision a dimension's score has (`score`).
    The weighted total of such means is then exact to two decimals and is not rounded again:
    3.95 stays 3.95, important, and does not become a critical 4.0."""
    if not scores:
        raise ScoreError(field, f"no expert scored {field}")
    exact = [_in_range(field, value) for value in scores]
    return (sum(exact, Decimal(0)) / len(exact)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _in_range(field: str, value: object) -> Decimal:
    """A number from 1 to 5 as an exact Decimal (a float through its shortest text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ScoreError(field, f"{field} must be a number from 1 to 5")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ScoreError(field, f"{field} must be a number from 1 to 5") from None
    if not number.is_finite() or not LOWEST <= number <= HIGHEST:
        raise ScoreError(field, f"{field} must be a number from 1 to 5")
    return number
