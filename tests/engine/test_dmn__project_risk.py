"""rules/project_risk.dmn: the severity of each rule's alert and the target-behind thresholds."""
from decimal import Decimal
from pathlib import Path

import pytest

from app.engine.dmn.checks import check_dmn, load_dmn
from app.engine.dmn.evaluate import decide

RULES = Path(__file__).resolve().parents[2] / "rules" / "project_risk.dmn"


@pytest.fixture(scope="module")
def document():
    data = RULES.read_bytes()
    assert check_dmn(data, RULES.name) == []
    return load_dmn(data, RULES.name)


@pytest.mark.parametrize("rule, days, lag, severity, alert", [
    ("report_missing", 0, 0, "medium", True), ("report_missing", 10, 0, "high", True),
    ("milestone_overdue", 0, 0, "medium", True), ("milestone_overdue", 30, 0, "high", True),
    ("rectification_overdue", 0, 0, "high", True), ("team_reported", 0, 0, "high", True),
    ("target_behind", 0, "19.9", "low", False), ("target_behind", 0, "20", "medium", True),
    ("target_behind", 0, "49.9", "medium", True), ("target_behind", 0, "50", "high", True),
])
def test_each_rule_and_threshold(document, rule, days, lag, severity, alert):
    result = decide(document, "project_risk", {"rule": rule, "days_overdue": Decimal(days),
                                               "lag_percent": Decimal(lag)}, "singleResult")
    assert result == {"severity": severity, "alert": alert}
