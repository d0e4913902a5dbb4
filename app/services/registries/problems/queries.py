"""Reading the problem library: the list (filters, sort, pages), a problem's detail, the rows of
an export. Every query goes through `visibility.problem_visible_to`; a problem the reader may not
see does not exist for them (404), as its number would otherwise tell that it does."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from ....domain.chains import CHAINS, SEGMENTS
from ....domain.severity import GRADES
from ....extensions import db
from ....models import Attachment, ProblemStatusChange, QualityProblem
from ....models.states import ProblemCategory, ProblemStatus
from ...errors import NotFound, ValidationFailed
from ...workflow.queries import Page
from .commands import MAX_ID, links_of
from .visibility import problem_visible_to

SORTS = {"number": QualityProblem.number, "report_date": QualityProblem.report_date,
         "total": QualityProblem.total_score, "status": QualityProblem.status, "chain": QualityProblem.chain,
         "category": QualityProblem.category, "unit": QualityProblem.reporter_unit_name}
DEFAULT_SORT = "-report_date"
EXPORT_LIMIT = 10_000
_CHOICES = {"chain": tuple(CHAINS), "segment": SEGMENTS, "category": ProblemCategory.ALL, "grade": GRADES,
            "status": ProblemStatus.ALL}


@dataclass
class ProblemFilter:
    chain: str = ""
    segment: str = ""
    category: str = ""
    grade: str = ""
    status: str = ""
    unit: str = ""                  # part of the reporter unit's name
    date_from: date | None = None   # report date, inclusive
    date_to: date | None = None
    sort: str = DEFAULT_SORT        # a SORTS key, "-" first for descending

    @classmethod
    def from_args(cls, args):
        """From query parameters (strings); a bad value is a 422 naming its parameter."""
        errors = {}
        values = {}
        for name, allowed in _CHOICES.items():
            value = (args.get(name) or "").strip()
            if value and value not in allowed:
                errors[name] = [_("Choose from: %(values)s.", values=", ".join(allowed))]
            values[name] = value
        values["unit"] = (args.get("unit") or "").strip()[:200]
        for name, key in (("date_from", "from"), ("date_to", "to")):
            text = (args.get(key) or "").strip()
            try:
                values[name] = date.fromisoformat(text) if text else None
            except ValueError:
                errors[key] = [_("Dates must be written as YYYY-MM-DD.")]
        values["sort"] = (args.get("sort") or DEFAULT_SORT).strip()
        if values["sort"].lstrip("-") not in SORTS:
            errors["sort"] = [_("Choose from: %(values)s.", values=", ".join(SORTS))]
        if errors:
            raise ValidationFailed(_("Some filters are not valid: %(names)s.", names=", ".join(sorted(errors))),
                                   errors)
        return cls(**values)


def _filtered(user, f):
    query = select(QualityProblem).where(problem_visible_to(user))
    for name in ("chain", "segment", "category", "grade", "status"):
        value = getattr(f, name)
        if value:
            query = query.where(getattr(QualityProblem, name) == value)
    if f.unit:
        query = query.where(QualityProblem.reporter_unit_name.contains(f.unit, autoescape=True))
    if f.date_from:
        query = query.where(QualityProblem.report_date >= f.date_from)
    if f.date_to:
        query = query.where(QualityProblem.report_date <= f.date_to)
    return query


def _ordered(query, sort):
    column = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        return query.order_by(column.desc().nulls_last(), QualityProblem.id.desc())
    return query.order_by(column.asc().nulls_last(), QualityProblem.id.asc())


def list_problems(user, f=None, page=1, per_page=20):
    """One page of the problems `user` may see that pass the filter."""
    f = f or ProblemFilter()
    query = _filtered(user, f)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(_ordered(query, f.sort).limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def export_rows(user, f=None):
    """Every problem of the filtered list (up to EXPORT_LIMIT), in the list's order."""
    f = f or ProblemFilter()
    return db.session.execute(_ordered(_filtered(user, f), f.sort).limit(EXPORT_LIMIT)).scalars().all()


@dataclass
class ProblemDetail:
    problem: QualityProblem
    history: list = field(default_factory=list)          # ProblemStatusChange rows, oldest first
    linked: list = field(default_factory=list)           # linked problems the reader may see
    merged_from: list = field(default_factory=list)      # problems merged into this one
    attachments: list = field(default_factory=list)      # the report case's files


def visible_problem(user, problem_id):
    """The problem, if `user` may see it; else NotFound (also for ids no row can have)."""
    if not 0 < problem_id <= MAX_ID:
        raise NotFound(_("Problem %(id)s does not exist.", id=problem_id))
    problem = db.session.execute(select(QualityProblem).where(
        QualityProblem.id == problem_id, problem_visible_to(user))).scalar_one_or_none()
    if problem is None:
        raise NotFound(_("Problem %(id)s does not exist.", id=problem_id))
    return problem


def problem_detail(user, problem_id):
    problem = visible_problem(user, problem_id)
    history = db.session.execute(select(ProblemStatusChange).where(ProblemStatusChange.problem_id == problem.id)
                                 .order_by(ProblemStatusChange.at, ProblemStatusChange.id)).scalars().all()
    linked_ids = links_of(db.session, problem.id)
    visible = problem_visible_to(user)
    linked = db.session.execute(select(QualityProblem).where(QualityProblem.id.in_(linked_ids), visible)
                                .order_by(QualityProblem.number)).scalars().all() if linked_ids else []
    merged_from = db.session.execute(select(QualityProblem).where(QualityProblem.merged_into_id == problem.id, visible)
                                     .order_by(QualityProblem.number)).scalars().all()
    files = db.session.execute(select(Attachment).where(Attachment.instance_id == problem.instance_id)
                               .order_by(Attachment.id)).scalars().all() if problem.instance_id else []
    return ProblemDetail(problem, list(history), list(linked), list(merged_from), list(files))


def source_case_visible(user, instance_id):
    """Whether `user` may see a problem registered from this case (and so the case's files)."""
    return db.session.execute(select(QualityProblem.id).where(
        QualityProblem.instance_id == instance_id, problem_visible_to(user)).limit(1)).first() is not None
