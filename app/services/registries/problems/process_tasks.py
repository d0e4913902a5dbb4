"""The service tasks of the problem processes: what bpmn/problem_report.bpmn and
bpmn/problem_library_review.bpmn do to the library. Each runs inside the command of the step
that reached it (`command.active()`), so it commits or rolls back with that step.

Grades come from the business-rule tasks of the diagrams (rules/problem_severity.dmn, the version
pinned with the case), passed in the case data as `severity`.
"""
from collections import Counter
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from .... import localtime
from ....domain import severity as reference
from ....models import ProblemReviewOutcome, ProblemStatusChange, QualityProblem
from ....models.states import ProblemCategory, ProblemStatus
from ...command import active
from ...errors import ValidationFailed
from . import commands

DIMENSIONS = ("impact", "diffusion", "urgency")
UNDER_REVIEW = (ProblemStatus.IDENTIFIED, ProblemStatus.ANALYSING, ProblemStatus.IN_BREAKTHROUGH)
REVIEW_ACTIONS = ("keep", "regrade", "merge", "delist")
REVIEWED_PERIOD = timedelta(days=365)    # the standard's example cycle: a review looks back one year


def score_means(instance, data):
    """Topic `problem_score_means`: each dimension is the mean of the experts' scores
    (`signatures` of the countersign), rounded half up to one decimal (domain/severity.panel_mean)."""
    signed = [s.get("data") or {} for s in data.get("signatures") or [] if s.get("decision") == "approve"]
    means = {d: reference.panel_mean(d, [s[d] for s in signed if d in s]) for d in DIMENSIONS}
    # one decimal, as a JSON number: exact through str(), and recorded as such (see handlers.py)
    return {**{d: float(mean) for d, mean in means.items()}, "expert_count": len(signed)}


def references(instance, data):
    """Topic `problem_references`: the problem numbers the screening named (related problems, the
    one a rejected report duplicates) must exist; an unknown one refuses the screening, naming
    its field, and nothing of it is kept."""
    ctx = active()
    related = [n.strip() for n in str(data.get("related_numbers") or "").split(",") if n.strip()]
    found = {"related_ids": [_by_number(ctx, n, "related_numbers") for n in dict.fromkeys(related)]}
    if data.get("decision") == "reject" and data.get("duplicate_of"):
        found["duplicate_of_id"] = _by_number(ctx, data["duplicate_of"], "duplicate_of")
    return found


def register(instance, data):
    """Topic `register_problem`: the confirmed report enters the library as identified, graded as
    the case's business-rule task graded it, linked to the related problems the screening named."""
    ctx = active()
    values = dict(data, **{f"{d}_score": data[d] for d in DIMENSIONS if d in data})
    result = commands.register_problem(ctx, instance, values, severity=data.get("severity"))
    for related_id in data.get("related_ids") or []:
        commands.link_problems(ctx, result["problem_id"], related_id, instance=instance)
    return result


def review_items(instance, data):
    """Topic `problem_review_items`: the consortium's problems still in the library, one review each."""
    ctx = active()
    ids = ctx.session.execute(select(QualityProblem.id).where(
        QualityProblem.consortium_id == data.get("consortium_id"),
        QualityProblem.status.in_(UNDER_REVIEW)).order_by(QualityProblem.number)).scalars().all()
    since = localtime.today(instance.started_at - REVIEWED_PERIOD)
    # ids only: every review instance carries a copy of the case data, this list included
    return {"problems": list(ids), "review_since": since.isoformat()}


def _reviewed_id(data):
    """The problem an instance of the review is about: its id (cases begun before the list held ids
    carry {"id", "number"})."""
    item = data.get("problem")
    return item.get("id") if isinstance(item, dict) else item


def review_load(instance, data):
    """Topic `problem_review_load`: the problem as it is now, for its reviewer (and the scores to
    start a re-grade from)."""
    problem = commands.load(active(), _reviewed_id(data))
    shown = {"problem_number": problem.number, "problem_title": problem.title, "problem_grade": problem.grade or "",
             "problem_status": problem.status}
    scores = {"impact": problem.impact_score, "diffusion": problem.diffusion_score, "urgency": problem.urgency_score}
    return {**shown, **{k: float(v) for k, v in scores.items() if v is not None}}


def review_apply(instance, data):
    """Topic `problem_review_apply`: what the reviewer decided for one problem, applied to the
    library and kept as a review outcome (the summary counts those)."""
    ctx = active()
    problem = commands.load(ctx, _reviewed_id(data))
    action, reason = data.get("review_action"), str(data.get("opinion") or "")
    before = problem.grade
    if action == "regrade":
        commands.regrade_problem(ctx, problem.id, *(data.get(d) for d in DIMENSIONS), instance=instance,
                                 reason=reason, severity=data.get("severity"))
    elif action == "merge":
        commands.merge_problem(ctx, problem.id, _by_number(ctx, data.get("merge_into"), "merge_into"),
                               instance=instance, reason=reason)
    elif action == "delist":
        commands.delist_problem(ctx, problem.id, instance=instance, reason=reason)
    elif action != "keep":
        raise ValidationFailed(_("Not a review outcome."), {"review_action": [
            _("Choose from: %(values)s.", values=", ".join(REVIEW_ACTIONS))]})
    ctx.session.add(ProblemReviewOutcome(
        problem_id=problem.id, instance_id=instance.id, action=action, grade_before=before, grade_after=problem.grade,
        actor_id=ctx.actor.id if ctx.actor is not None else None, at=ctx.now, reason=reason))
    return {"review_applied": action}


def _by_number(ctx, number, field):
    found = ctx.session.execute(select(QualityProblem.id).where(QualityProblem.number == str(number or ""))).scalar()
    if found is None:
        raise ValidationFailed(_("No problem has the number %(number)s.", number=number),
                               {field: [_("No such problem.")]})
    return found


def review_summary(instance, data):
    """Topic `problem_review_summary`: the review's summary, counted from the library, never typed."""
    ctx = active()
    consortium_id = data.get("consortium_id")
    since = instance.started_at - REVIEWED_PERIOD
    in_consortium = QualityProblem.consortium_id == consortium_id
    outcomes = Counter(dict(ctx.session.execute(select(ProblemReviewOutcome.action, func.count()).where(
        ProblemReviewOutcome.instance_id == instance.id).group_by(ProblemReviewOutcome.action)).all()))
    added = ctx.session.execute(select(func.count()).where(in_consortium, QualityProblem.created_at >= since)).scalar()
    solved = ctx.session.execute(select(func.count()).select_from(ProblemStatusChange).join(QualityProblem).where(
        in_consortium, ProblemStatusChange.to_status == ProblemStatus.SOLVED, ProblemStatusChange.at >= since)).scalar()
    open_rows = ctx.session.execute(select(QualityProblem.grade, QualityProblem.category).where(
        in_consortium, QualityProblem.status.in_(UNDER_REVIEW))).all()
    grades, categories = Counter(g for g, _c in open_rows), Counter(c for _g, c in open_rows)
    return {"summary_added": added, "summary_solved": solved, "summary_open": len(open_rows),
            **{f"summary_{done}": outcomes.get(action, 0)
               for done, action in (("regraded", "regrade"), ("merged", "merge"), ("delisted", "delist"))},
            **{f"summary_{g}": grades.get(g, 0) for g in reference.GRADES},
            **{f"summary_{c}": categories.get(c, 0) for c in ProblemCategory.ALL}}
