"""Commands of the problem library. Each runs inside a command (`with command(actor) as ctx:`,
or the command of the process step whose service task calls it) and takes its context: what it
writes commits with the rest of that command, or not at all.

Who may write (checked first, in every command):
- a process step (`instance` given): the deployed diagram decided that this step writes the
  library; deploy accepts only the whitelisted service-task topics (app/services/workflow/handlers.py),
  and the step's own command checked the person who completed it;
- the system (no actor: start-up, demo, CLI);
- the managing body (group `managing_body`) and the city office, directly.
Anyone else, administrators included (they operate the system, not the library), is refused.

Each change is audited (`problem_*` events). A process step's events go to its case's chain,
after the event of the decision that set the step off (`record_after_next`, as the service
task's own event); the other events go to the system chain. Every status a problem enters is also
a `problem_status_change` row. Merged and delisted problems stay, with their history.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import insert, or_, select

from .... import localtime
from ....domain.chains import chain_code_for
from ....domain.severity import GRADES
from ....models import Consortium, ProblemStatusChange, QualityProblem, User, problem_link
from ....models.states import ProblemStatus
from ...audit import trail
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...identity.permissions import CITY_OFFICE, MANAGING_BODY
from . import fields, numbering

WRITERS = frozenset({MANAGING_BODY, CITY_OFFICE})
MAX_ID = 2**63 - 1


class IllegalProblemTransition(Conflict):
    """The status change is not one the library allows (409, naming both statuses)."""


def check_writer(ctx, instance=None):
    if instance is not None or ctx.actor is None or WRITERS & ctx.actor.group_keys:
        return
    raise Forbidden(_("Only the managing body, the city office or a process may change the problem library."))


def load(ctx, problem_id, field="problem_id"):
    if not isinstance(problem_id, int) or isinstance(problem_id, bool) or not 0 < problem_id <= MAX_ID:
        raise ValidationFailed(_("No such problem."), {field: [_("Expected a problem id.")]})
    problem = ctx.session.get(QualityProblem, problem_id)
    if problem is None:
        raise NotFound(_("Problem %(id)s does not exist.", id=problem_id))
    return problem


def _record(ctx, event_type, problem, instance, **data):
    trail.record_library_event(ctx, event_type, instance,
                               {"problem_id": problem.id, "problem_number": problem.number, **data})


def _history(ctx, problem, old, new, instance, reason):
    ctx.session.add(ProblemStatusChange(
        problem_id=problem.id, from_status=old, to_status=new, actor_id=ctx.actor.id if ctx.actor else None,
        actor_name=ctx.actor.display_name if ctx.actor else "system", at=ctx.now,
        instance_id=instance.id if instance is not None else None, reason=reason or ""))


def _move(ctx, problem, new, instance, reason):
    old = problem.status
    if new not in ProblemStatus.TRANSITIONS.get(old, set()):
        raise IllegalProblemTransition(_("Problem %(number)s cannot go from %(old)s to %(new)s.",
                                         number=problem.number, old=old, new=new))
    problem.status = new
    problem.updated_at = ctx.now
    _history(ctx, problem, old, new, instance, reason)
    return old


def _reporter(ctx, data, errors):
    username = data.get("reporter") or data.get("initiator")
    if not username:
        return None
    user = ctx.session.execute(select(User).where(User.username == str(username))).scalar_one_or_none()
    if user is None:
        errors.add("reporter", _("No such user."))
    return user


def _consortium(ctx, data, errors):
    value = data.get("consortium_id")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        errors.add("consortium_id", _("Required: the consortium the problem belongs to."))
        return None
    consortium = ctx.session.get(Consortium, value)
    if consortium is None:
        errors.add("consortium_id", _("No such consortium."))
    return consortium


def graded(values, severity, errors):
    """Apply a business-rule task's grading (rules/problem_severity.dmn: total and grade) to the
    column values: the rules the case was deployed with decide, not the reference calculation."""
    if severity is None:
        return
    grade = severity.get("grade") if isinstance(severity, dict) else None
    if grade not in GRADES or severity.get("total") is None:
        errors.add("severity", _("The grading rules gave no grade."))
        return
    values["grade"], values["total_score"] = grade, Decimal(str(severity["total"])).quantize(Decimal("0.01"))


def register_problem(ctx, instance, data, severity=None):
    """Enter a reported problem in the library (service task `register_problem` at the end of the
    report process). `severity`: the business-rule task's result, when the case graded it.
    Returns {"problem_id", "problem_number"}, merged into the case data."""
    check_writer(ctx, instance)
    errors = fields.FieldErrors()
    values = fields.problem_values(data, localtime.today(ctx.now), errors)
    graded(values, severity, errors)
    consortium = _consortium(ctx, data, errors)
    reporter = _reporter(ctx, data, errors)
    if consortium is not None and not values["chain"]:
        values["chain"] = chain_code_for(consortium.chain_domain) or ""
        if not values["chain"]:
            errors.add("chain", _("Required: the consortium's chain has no code; name one."))
    if reporter is not None:
        values["reporter_name"] = values["reporter_name"] or reporter.display_name
        values["reporter_unit_name"] = values["reporter_unit_name"] or (reporter.unit.name if reporter.unit else "")
    if not values["reporter_unit_name"] and "reporter_unit_name" not in errors:
        errors.add("reporter_unit_name", _("Required."))
    if errors:
        raise ValidationFailed(_("The problem could not be registered."), dict(errors))
    values["industry"] = values["industry"] or consortium.chain_domain
    number = numbering.next_number(ctx.session, values["chain"], values["report_date"].year)
    problem = QualityProblem(number=number, consortium_id=consortium.id, instance_id=instance.id if instance else None,
                             reporter_id=reporter.id if reporter else None, status=ProblemStatus.IDENTIFIED,
                             created_at=ctx.now, updated_at=ctx.now, **values)
    ctx.session.add(problem)
    ctx.session.flush()       # its id, for the history, the links and the case data
    _history(ctx, problem, None, ProblemStatus.IDENTIFIED, instance, "")
    _record(ctx, "problem_registered", problem, instance, grade=problem.grade, category=problem.category)
    return {"problem_id": problem.id, "problem_number": problem.number}


def set_problem_status(ctx, problem_id, status, instance=None, reason=""):
    """Move a problem on its way: identified → analysing → in_breakthrough → solved (the project
    lifecycle sets the last two). Any other change is refused (409)."""
    check_writer(ctx, instance)
    if status not in ProblemStatus.PROGRESS:
        raise ValidationFailed(_("Not a status this command sets."), {"status": [
            _("Choose from: %(values)s.", values=", ".join(ProblemStatus.PROGRESS))]})
    problem = load(ctx, problem_id)
    old = _move(ctx, problem, status, instance, reason)
    _record(ctx, "problem_status_changed", problem, instance, **{"from": old, "to": status, "reason": reason})
    return problem


def regrade_problem(ctx, problem_id, impact, diffusion, urgency, instance=None, reason="", severity=None):
    """New scores (App. D) and the total and grade they give (`severity`: a business-rule task's
    result, which decides when given); the old ones stay in the audit trail."""
    check_writer(ctx, instance)
    problem = load(ctx, problem_id)
    if problem.status in (ProblemStatus.MERGED, ProblemStatus.DELISTED):
        raise Conflict(_("Problem %(number)s is no longer in the library.", number=problem.number))
    errors = fields.FieldErrors()
    i, d, u, total, grade = fields.scores(
        {"impact_score": impact, "diffusion_score": diffusion, "urgency_score": urgency}, errors)
    rule = {"total_score": total, "grade": grade}
    graded(rule, severity, errors)
    total, grade = rule["total_score"], rule["grade"]
    if errors or total is None:
        raise ValidationFailed(_("The scores are not valid."), dict(errors) or {
            "impact_score": [_("A score from 1 to 5, with at most one decimal.")]})
    before = {"total": problem.total_score, "grade": problem.grade}
    problem.impact_score, problem.diffusion_score, problem.urgency_score = i, d, u
    problem.total_score, problem.grade, problem.updated_at = total, grade, ctx.now
    _record(ctx, "problem_regraded", problem, instance, before=before, after={"total": total, "grade": grade},
            scores={"impact": i, "diffusion": d, "urgency": u}, reason=reason)
    return problem


def merge_problem(ctx, problem_id, into_id, instance=None, reason=""):
    """The periodic review found a duplicate: it is merged into another problem of the same
    consortium (status merged, `merged_into` set, the two linked); its history stays."""
    check_writer(ctx, instance)
    problem, into = load(ctx, problem_id), load(ctx, into_id, "into_id")
    if problem.id == into.id:
        raise ValidationFailed(_("A problem cannot be merged into itself."),
                               {"into_id": [_("Choose another problem.")]})
    if into.consortium_id != problem.consortium_id:
        raise ValidationFailed(_("Only problems of one consortium can be merged."), {"into_id": [
            _("Choose a problem of the same consortium.")]})
    if into.status in (ProblemStatus.MERGED, ProblemStatus.DELISTED):
        raise Conflict(_("Problem %(number)s is no longer in the library.", number=into.number))
    _move(ctx, problem, ProblemStatus.MERGED, instance, reason)
    problem.merged_into_id = into.id
    _link(ctx, problem, into)
    _record(ctx, "problem_merged", problem, instance, into_id=into.id, into_number=into.number, reason=reason)
    return problem


def delist_problem(ctx, problem_id, instance=None, reason=""):
    """The periodic review found that a problem no longer applies; it stays, delisted."""
    check_writer(ctx, instance)
    problem = load(ctx, problem_id)
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the problem is delisted."), {"reason": [_("Required.")]})
    _move(ctx, problem, ProblemStatus.DELISTED, instance, reason)
    _record(ctx, "problem_delisted", problem, instance, reason=reason)
    return problem


def _linked(ctx, low, high):
    return ctx.session.execute(select(problem_link.c.problem_id).where(
        problem_link.c.problem_id == low, problem_link.c.related_id == high)).first() is not None


def _link(ctx, a, b):
    low, high = sorted((a.id, b.id))
    if not _linked(ctx, low, high):
        ctx.session.execute(insert(problem_link).values(problem_id=low, related_id=high))
        return True
    return False


def link_problems(ctx, problem_id, related_id, instance=None):
    """Record that two problems are related (shown on both); linking them again changes nothing."""
    check_writer(ctx, instance)
    problem, related = load(ctx, problem_id), load(ctx, related_id, "related_id")
    if problem.id == related.id:
        raise ValidationFailed(_("A problem cannot be linked to itself."),
                               {"related_id": [_("Choose another problem.")]})
    if _link(ctx, problem, related):
        _record(ctx, "problems_linked", problem, instance, related_id=related.id, related_number=related.number)
    return problem


def links_of(session, problem_id):
    """Ids of the problems linked to one, in either direction."""
    rows = session.execute(select(problem_link.c.problem_id, problem_link.c.related_id).where(or_(
        problem_link.c.problem_id == problem_id, problem_link.c.related_id == problem_id)))
    return sorted({a if b == problem_id else b for a, b in rows})

