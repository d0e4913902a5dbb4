"""Choices of the admission form that depend on who fills it in."""
from sqlalchemy import select

from ....models import QualityProblem
from ....models.states import ProblemStatus
from ..consortium import consortia_of

SOLVABLE = (ProblemStatus.IDENTIFIED, ProblemStatus.ANALYSING, ProblemStatus.IN_BREAKTHROUGH, ProblemStatus.SOLVED)


def solved_problem_choices(session, user):
    """(id, "number title") of the problems of the user's consortia an achievement may solve (a form's
    `x-widget: library_problems` field): those still in the library, not merged or delisted."""
    consortia = [c.id for c in consortia_of(session, user)]
    if not consortia:
        return []
    rows = session.execute(select(QualityProblem.id, QualityProblem.number, QualityProblem.title).where(
        QualityProblem.consortium_id.in_(consortia), QualityProblem.status.in_(SOLVABLE))
        .order_by(QualityProblem.number))
    return [(pid, f"{number} {title}") for pid, number, title in rows]
