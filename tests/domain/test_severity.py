"""The App. D reference calculation: weighted total in exact decimals, grade boundaries, refused scores."""
from decimal import Decimal

import pytest

from app.domain import severity


@pytest.mark.parametrize("scores, total, grade", [
    ((5, 5, 5), "5.00", "critical"),
    ((4, 4, 4), "4.00", "critical"),            # exactly 4.0: critical (binary floats give 3.9999…)
    ((4, 4, 3.9), "3.97", "important"),
    ((3, 2, 2), "2.40", "general"),
    ((2.5, 2.5, 2.5), "2.50", "important"),     # exactly 2.5: important
    ((2.4, 2.5, 2.6), "2.49", "general"),
    ((1, 1, 1), "1.00", "general"),
    (("4.3", Decimal("3.7"), 4), "4.03", "critical"),
])
def test_total_and_grade(scores, total, grade):
    *_, got_total, got_grade = severity.assess(*scores)
    assert got_total == Decimal(total) and str(got_total) == total
    assert got_grade == grade


def test_floats_are_read_as_written():
    impact, *_ = severity.assess(4.3, 1, 1)
    assert impact == Decimal("4.3")


@pytest.mark.parametrize("bad", [0, 5.1, "abc", True, None, 4.25, "NaN", "Infinity", [4]])
def test_bad_scores_name_their_field(bad):
    with pytest.raises(severity.ScoreError) as caught:
        severity.assess(3, bad, 3)
    assert caught.value.field == "diffusion_score"


def test_grade_stars():
    assert [severity.STARS[g] for g in severity.GRADES] == [3, 2, 1]


@pytest.mark.parametrize("scores, mean", [
    ([3, 3, 3, 4], "3.3"),          # 3.25: half up
    ([2, 2, 2, 3], "2.3"),          # 2.25
    ([5, 4, 4], "4.3"),             # 4.333…
    ([4, 5, 5], "4.7"),             # 4.666…
    ([3, 4], "3.5"),
    ([1], "1.0"),
    ([4.3, 4.4], "4.4"),            # 4.35 (means of means stay exact: floats read through their text)
])
def test_a_panel_mean_is_rounded_half_up_to_one_decimal(scores, mean):
    assert severity.panel_mean("impact", scores) == Decimal(mean)


def test_a_panel_mean_needs_scores_from_1_to_5():
    for bad in ([], [0], [6], ["x"], [True]):
        with pytest.raises(severity.ScoreError):
            severity.panel_mean("impact", bad)
