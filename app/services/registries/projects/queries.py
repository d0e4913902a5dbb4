"""Reading the project library: the list (filters, sort, pages), the rows of an export, and the
one project a reader may see. Every query goes through `visibility.project_visible_to`; a project
the reader may not see does not exist for them (404), as its number would otherwise tell that it does."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ....domain.chains import CHAINS
from ....extensions import db
from ....models import BreakthroughProject, QualityProblem
from ....models.states import ProjectDirection, ProjectStatus, RiskSeverity
from ...errors import NotFound
from ...workflow.queries import Page
from .. import filters
from ..problems.visibility import problem_visible_to
from .visibility import project_visible_to

MAX_ID = 2**63 - 1
SORTS = {"number": BreakthroughProject.number, "name": BreakthroughProject.name,
         "status": BreakthroughProject.status, "chain": BreakthroughProject.chain,
         "unit": BreakthroughProject.lead_unit_name, "created": BreakthroughProject.created_at}
DEFAULT_SORT = "-created"
EXPORT_LIMIT = 10_000
NO_RISK = "none"     # the risk filter's value for projects without an open alert
RISKS = (*RiskSeverity.ALL, NO_RISK)
CHOICES = {"chain": tuple(CHAINS), "direction": ProjectDirection.ALL, "status": ProjectStatus.ALL, "risk": RISKS}


@dataclass
class ProjectFilter:
    chain: str = ""
    direction: str = ""
    status: str = ""
    risk: str = ""                  # a severity, or NO_RISK
    unit: str = ""                  # part of the lead unit's name
    sort: str = DEFAULT_SORT        # a SORTS key, "-" first for descending

    @classmethod
    def from_args(cls, args):
        """From query parameters (strings); a bad value is a 422 naming its parameter."""
        return cls(**filters.parse(args, CHOICES, {"unit": 200}, SORTS, DEFAULT_SORT))


def _filtered(user, f):
    query = select(BreakthroughProject).where(project_visible_to(user))
    for name in ("chain", "direction", "status"):
        value = getattr(f, name)
        if value:
            query = query.where(getattr(BreakthroughProject, name) == value)
    if f.risk:
        query = query.where(BreakthroughProject.risk_level == ("" if f.risk == NO_RISK else f.risk))
    if f.unit:
        query = query.where(BreakthroughProject.lead_unit_name.contains(f.unit, autoescape=True))
    return query


def _ordered(query, sort):
    column = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        query = query.order_by(column.desc().nulls_last(), BreakthroughProject.id.desc())
    else:
        query = query.order_by(column.asc().nulls_last(), BreakthroughProject.id.asc())
    return query.options(selectinload(BreakthroughProject.problems))


def list_projects(user, f=None, page=1, per_page=20):
    """One page of the projects `user` may see that pass the filter (with the problems they address)."""
    f = f or ProjectFilter()
    query = _filtered(user, f)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(_ordered(query, f.sort).limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(with_visible_problems(user, items), total, page, per_page)


def export_rows(user, f=None):
    """Every project of the filtered list (up to EXPORT_LIMIT), in the list's order."""
    f = f or ProjectFilter()
    return with_visible_problems(user, db.session.execute(
        _ordered(_filtered(user, f), f.sort).limit(EXPORT_LIMIT)).scalars().all())


def visible_project(user, project_id):
    """The project, if `user` may see it; else NotFound (also for ids no row can have)."""
    if isinstance(project_id, bool) or not isinstance(project_id, int) or not 0 < project_id <= MAX_ID:
        raise NotFound(_("Project %(id)s does not exist.", id=project_id))
    project = db.session.execute(select(BreakthroughProject).where(
        BreakthroughProject.id == project_id, project_visible_to(user))).scalar_one_or_none()
    if project is None:
        raise NotFound(_("Project %(id)s does not exist.", id=project_id))
    return project


def with_visible_problems(user, projects):
    """The projects, each with `shown_problems`: the problems it addresses that `user` may see (a
    project may address a problem of another consortium, whose title is not the reader's to see)."""
    ids = {problem.id for project in projects for problem in project.problems}
    visible = set(db.session.execute(select(QualityProblem.id).where(
        QualityProblem.id.in_(sorted(ids)), problem_visible_to(user))).scalars()) if ids else set()
    for project in projects:
        project.shown_problems = [problem for problem in project.problems if problem.id in visible]
    return projects


def linked_problems(user, project):
    """The problems the project addresses that `user` may see (links to the problem library)."""
    return with_visible_problems(user, [project])[0].shown_problems
