"""Problem numbers: GZ-<chain>-<year>-<seq>, per chain and year, never given twice."""
import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import ProblemNumberCounter
from app.services.errors import Conflict
from tests.problem_support import A, make_consortium, problem_data, register


def test_numbers_count_per_chain_and_year_and_roll_over(app):
    consortium = make_consortium(A)
    numbers = [register(problem_data(consortium.id, chain=chain, report_date=day))["problem_number"]
               for chain, day in [("IEQ", "2025-12-31"), ("IEQ", "2025-12-31"), ("IEQ", "2026-01-01"),
                                  ("NEV", "2026-01-01"), ("IEQ", "2025-06-30"), ("IEQ", "2026-02-01")]]
    assert numbers == ["GZ-IEQ-2025-0001", "GZ-IEQ-2025-0002", "GZ-IEQ-2026-0001", "GZ-NEV-2026-0001",
                       "GZ-IEQ-2025-0003", "GZ-IEQ-2026-0002"]


def test_the_chain_comes_from_the_consortium_when_not_named(app):
    consortium = make_consortium(A)          # 智能装备 -> IEQ
    data = problem_data(consortium.id)
    assert register(data)["problem_number"] == "GZ-IEQ-2026-0001"


def test_a_number_given_out_twice_is_refused_by_the_unique_key(app):
    consortium = make_consortium(A)
    assert register(problem_data(consortium.id))["problem_number"] == "GZ-IEQ-2026-0001"
    db.session.execute(update(ProblemNumberCounter).values(last_seq=0))   # a counter that lost a step
    db.session.commit()
    with pytest.raises(Conflict):
        register(problem_data(consortium.id))
    # the refused command left nothing behind: the counter moved back with it
    assert db.session.get(ProblemNumberCounter, ("IEQ", 2026)).last_seq == 0
