"""rules/problem_severity.dmn (App. D) against an independent calculation in fractions."""
import itertools
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from app.engine.dmn.checks import load_dmn
from app.engine.dmn.evaluate import decide
from app.engine.errors import DecisionError

RULES = Path(__file__).resolve().parents[2] / "rules" / "problem_severity.dmn"
HANDLING = {"critical": "需要最高优先级关注，建议启动跨组织协同攻关。",
            "important": "需要重点关注，由行业或龙头企业主导解决。",
            "general": "由相关企业自主改进，行业提供必要支持。"}


@pytest.fixture(scope="module")
def severity():
    return load_dmn(RULES.read_bytes(), "rules/problem_severity.dmn")


def expected(impact, diffusion, urgency):
    total = (Fraction(impact) * 4 + Fraction(diffusion) * 3 + Fraction(urgency) * 3) / 10
    grade = "critical" if total >= 4 else "important" if total >= Fraction(5, 2) else "general"
    return total, grade


def grade(severity, impact, diffusion, urgency):
    return decide(severity, "problem_severity", {"impact": impact, "diffusion": diffusion, "urgency": urgency},
                  "singleResult")


def test_all_125_integer_combinations(severity):
    for impact, diffusion, urgency in itertools.product(range(1, 6), repeat=3):
        result = grade(severity, impact, diffusion, urgency)
        total, name = expected(impact, diffusion, urgency)
        assert Fraction(result["total"]) == total, (impact, diffusion, urgency)
        assert result["grade"] == name
        assert result["stars"] == {"critical": 3, "important": 2, "general": 1}[name]
        assert result["handling"] == HANDLING[name]


@pytest.mark.parametrize(("scores", "total", "name"), [
    ((4, 4, 4), "4.0", "critical"),            # exactly 4.0: critical
    ((5, 4, 3), "4.1", "critical"),
    ((4, 4, 3), "3.7", "important"),
    ((3, 2, 2), "2.4", "general"),
    ((1, 4, 3), "2.5", "important"),           # exactly 2.5: important
    ((3, 2, 2.3), "2.49", "general"),
    ((4.1, 3.9, 3.8), "3.95", "important"),    # just below 4.0: not rounded up to critical
    ((3.3, 3.3, 3.4), "3.33", "important"),
    ((4.2, 3.8, 4.0), "4.02", "critical"),
])
def test_boundaries_and_expert_means(severity, scores, total, name):
    result = grade(severity, *scores)
    assert result["total"] == Decimal(total) and result["grade"] == name
    assert (Fraction(result["total"]), name) == expected(*(Fraction(str(s)) for s in scores))


def test_means_to_one_decimal_every_combination_on_a_grid(severity):
    tenths = [Decimal(n) / 10 for n in range(10, 51, 7)]         # 1.0, 1.7, … 4.9
    for scores in itertools.product(tenths, repeat=3):
        result = grade(severity, *scores)
        total, name = expected(*scores)
        assert Fraction(result["total"]) == total and result["grade"] == name


@pytest.mark.parametrize("scores", [(0, 3, 3), (6, 3, 3), (3, 3, 5.5)])
def test_scores_outside_one_to_five_are_refused(severity, scores):
    with pytest.raises(DecisionError, match="problem_severity"):
        grade(severity, *scores)


def test_the_file_opens_in_the_modeler_with_a_shape_per_decision():
    text = RULES.read_text(encoding="utf-8")
    assert 'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"' in text
    for decision_id in ("severity_score", "problem_severity"):
        assert f'dmnElementRef="{decision_id}"' in text
