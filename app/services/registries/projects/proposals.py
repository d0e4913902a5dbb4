"""The proposal of a breakthrough project (standard 5.5.1–5.5.2, App. E) and its decision.

A project is proposed by a consortium's lead unit and must come from the problem library: at
least one source problem of that consortium, each identified or analysing. Approval moves each
source problem to in breakthrough (through the problem library's own command, so its history
and audit trail say so) and the project to the drafting of its task book; rejection ends it.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from .... import localtime
from ....domain.chains import chain_code_for
from ....models import BreakthroughProject, Consortium, QualityProblem
from ....models.states import ProblemStatus, ProjectDirection, ProjectStatus
from ...errors import Forbidden, ValidationFailed
from ..consortium import consortia_of
from ..problems import commands as problems
from ..problems.fields import FieldErrors
from . import numbering, records

MAX_UNITS = 30


def _text(data, name, errors, limit, required=True):
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors.add(name, _("Required."))
    elif len(value) > limit:
        errors.add(name, _("Enter at most %(n)d characters.", n=limit))
    return value


def _units(data, errors):
    """Participating units by name: a list of names or of table rows {name}."""
    rows = data.get("participating_units") or []
    names = [str((row.get("name") if isinstance(row, dict) else row) or "").strip() for row in rows] \
        if isinstance(rows, list) else []
    names = list(dict.fromkeys(n for n in names if n))
    if len(names) > MAX_UNITS:
        errors.add("participating_units", _("At most %(n)d row(s) are allowed.", n=MAX_UNITS))
    return names


def source_problems(ctx, consortium, ids, errors):
    """The chosen problems, each of the consortium and identified or analysing; a refusal names the
    problem's number."""
    if not isinstance(ids, list) or not ids:
        errors.add("problem_ids", _("Choose at least one problem from the problem library."))
        return []
    wanted = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    found = {p.id: p for p in ctx.session.execute(select(QualityProblem).where(
        QualityProblem.id.in_(wanted))).scalars()}
    chosen = []
    for value in dict.fromkeys(ids):
        problem = found.get(value)
        if problem is None or (consortium is not None and problem.consortium_id != consortium.id):
            errors.add("problem_ids", _("Problem %(id)s is not in this consortium's problem library.", id=value))
        elif problem.status not in ProjectStatus.SOURCE_PROBLEM_STATUSES:
            errors.add("problem_ids", _("Problem %(number)s is %(status)s: a project may only take up an "
                                        "identified or analysing problem.", number=problem.number,
                                        status=problem.status))
        else:
            chosen.append(problem)
    return chosen


def _values(ctx, data, errors):
    consortium = None
    value = data.get("consortium_id")
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= records.MAX_ID:
        consortium = ctx.session.get(Consortium, value)
    if consortium is None:
        errors.add("consortium_id", _("Required: the consortium the project belongs to."))
    direction = data.get("direction")
    if direction not in ProjectDirection.ALL:
        errors.add("direction", _("Choose from: %(values)s.", values=", ".join(ProjectDirection.ALL)))
    values = {"name": _text(data, "project_name", errors, 200), "direction": direction,
              "participating_units": _units(data, errors),
              "expected_results": _text(data, "expected_results", errors, 4000)}
    return consortium, values


def propose_project(ctx, instance, data):
    """Register (or, after a return for revision, update) the proposal a lead unit submitted
    (service task `project_propose`). Returns {"project_id", "project_number"} for the case data."""
    errors = FieldErrors()
    consortium, values = _values(ctx, data, errors)
    problem_rows = source_problems(ctx, consortium, data.get("problem_ids"), errors)
    if errors:
        raise ValidationFailed(_("The proposal could not be registered."), dict(errors))
    if ctx.actor is not None and not records.in_lead_unit(ctx.actor, consortium):
        raise Forbidden(_("Only the consortium's lead unit may propose a project."))
    existing = data.get("project_id")
    project = records.load(ctx, existing) if existing else None
    if project is None:
        project = _new_project(ctx, instance, consortium, values)
    else:
        records.require_status(project, ProjectStatus.PROPOSED)
        for name, value in values.items():
            setattr(project, name, value)
        project.updated_at = ctx.now
    project.problems = problem_rows
    records.record(ctx, "project_proposed", project, instance, name=project.name, direction=project.direction,
                   problems=[p.number for p in problem_rows], participating_units=project.participating_units,
                   revised=bool(existing))
    return {"project_id": project.id, "project_number": project.number, "lead_unit_name": project.lead_unit_name}


def _new_project(ctx, instance, consortium, values):
    chain = chain_code_for(consortium.chain_domain) or "XX"
    year = localtime.today(ctx.now).year
    project = BreakthroughProject(
        number=numbering.next_number(ctx.session, chain, year), consortium_id=consortium.id,
        instance_id=instance.id if instance is not None else None, chain=chain,
        lead_unit_name=consortium.lead_unit_name, proposer_id=ctx.actor.id if ctx.actor else None,
        status=ProjectStatus.PROPOSED, created_at=ctx.now, updated_at=ctx.now, **values)
    project.consortium = consortium
    ctx.session.add(project)
    ctx.session.flush()       # its id, for the case data and the events
    return project


def approve_proposal(ctx, project_id, instance=None, reason=""):
    """The proposal is approved (5.5.3): each source problem goes in breakthrough, and the lead unit
    draws up the task book."""
    records.check_writer(ctx, instance)
    project = records.load(ctx, project_id)
    for problem in project.problems:
        if problem.status != ProblemStatus.IN_BREAKTHROUGH:
            problems.set_problem_status(ctx, problem.id, ProblemStatus.IN_BREAKTHROUGH, instance=instance,
                                        reason=_("Project %(number)s approved.", number=project.number))
    records.move(ctx, project, ProjectStatus.TASK_BOOK, instance, reason)
    return project


def reject_proposal(ctx, project_id, instance=None, reason=""):
    records.check_writer(ctx, instance)
    project = records.load(ctx, project_id)
    records.move(ctx, project, ProjectStatus.REJECTED, instance, reason)
    return project


def problem_choices(session, user):
    """(id, "number title") of the problems a user may base a proposal on: those of the consortia of
    their unit that are identified or analysing (a form's `x-widget: source_problems` field)."""
    consortia = [c.id for c in consortia_of(session, user)]
    if not consortia:
        return []
    rows = session.execute(select(QualityProblem.id, QualityProblem.number, QualityProblem.title).where(
        QualityProblem.consortium_id.in_(consortia),
        QualityProblem.status.in_(ProjectStatus.SOURCE_PROBLEM_STATUSES)).order_by(QualityProblem.number))
    return [(pid, f"{number} {title}") for pid, number, title in rows]
