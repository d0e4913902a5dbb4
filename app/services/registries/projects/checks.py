"""Expert checks of a project: the mid-term check (standard 5.5.4b: pass, or rectification by a
deadline, then checked again until it passes) and the acceptance (5.5.5: the lead unit applies
with its final report and the evidence of each target; the experts' result is pass, conditional
or fail). Every result is a `project_check` row; a rectification round is a further row.

Acceptance passed: the project is accepted and each source problem solved. Failed: the project
failed and its problems go back to analysis. Conditional: the project runs on and the lead unit
applies again once the conditions are met.
"""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from .... import localtime
from ....domain import task_book
from ....models import ProjectCheck
from ....models.states import ProblemStatus, ProjectStatus, RiskRule
from ...errors import ValidationFailed
from ..problems import commands as problems
from ..problems.fields import FieldErrors
from . import alerts, records, task_books

MIDTERM, ACCEPTANCE = "midterm", "acceptance"
MIDTERM_RESULTS = ("pass", "rectify")
ACCEPTANCE_RESULTS = ("pass", "conditional", "fail")


def _round(ctx, project, kind):
    return (ctx.session.execute(select(func.max(ProjectCheck.round)).where(
        ProjectCheck.project_id == project.id, ProjectCheck.kind == kind)).scalar() or 0) + 1


def _day(value, field):
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        raise ValidationFailed(_("A date YYYY-MM-DD is required."), {field: [_("A date YYYY-MM-DD is required.")]}) \
            from None


def record_midterm(ctx, project_id, result, opinion="", rectification_deadline=None, instance=None):
    """The experts' mid-term result; `rectify` needs a deadline on or after today (Guangzhou)."""
    records.check_writer(ctx, instance)
    project = records.load(ctx, project_id)
    records.require_status(project, ProjectStatus.EXECUTING)
    if result not in MIDTERM_RESULTS:
        raise ValidationFailed(_("Not a mid-term result."), {"result": [
            _("Choose from: %(values)s.", values=", ".join(MIDTERM_RESULTS))]})
    deadline = None
    if result == "rectify":
        deadline = _day(rectification_deadline, "rectification_deadline")
        if deadline < localtime.today(ctx.now):
            raise ValidationFailed(_("The deadline has passed already."), {"rectification_deadline": [
                _("The deadline has passed already.")]})
    check = ProjectCheck(project_id=project.id, kind=MIDTERM, round=_round(ctx, project, MIDTERM), result=result,
                         opinion=str(opinion or ""), rectification_deadline=deadline,
                         instance_id=instance.id if instance is not None else None, decided_at=ctx.now,
                         decided_by_id=ctx.actor.id if ctx.actor is not None else None)
    ctx.session.add(check)
    ctx.session.flush()
    records.record(ctx, "project_midterm_recorded", project, instance, round=check.round, result=result,
                   rectification_deadline=deadline.isoformat() if deadline else None)
    return check


def rectified(ctx, project_id, round_, instance=None):
    """The lead unit handed in its rectification of a mid-term round: its overdue alert (if any) closes."""
    project = records.load(ctx, project_id)
    records.check_team(ctx, project, instance)
    alerts.close_alert(ctx, project, RiskRule.RECTIFICATION_OVERDUE, f"midterm-{round_}",
                       _("The rectification was handed in."), instance)
    records.record(ctx, "project_rectification_submitted", project, instance, round=round_)
    return project


def _materials(ctx, project, data):
    errors = FieldErrors()
    report = str(data.get("final_report") or "").strip()
    if not report:
        errors.add("final_report", _("Required."))
    targets = {t["key"] for t in task_books.current(ctx, project).content.get("targets", [])}
    evidence = [r for r in data.get("target_evidence") or [] if isinstance(r, dict)]
    given = {str(r.get("key")) for r in evidence}
    for key in sorted(targets - given):
        errors.add("target_evidence", _("Give the measured value of target %(key)s.", key=key))
    for i, row in enumerate(evidence):
        if str(row.get("key")) not in targets:
            errors.add(f"target_evidence.{i}.key", _("No target %(key)s in the task book.", key=row.get("key")))
        if task_book.number(row.get("value")) is None:
            errors.add(f"target_evidence.{i}.value", _("A number is required."))
    if errors:
        raise ValidationFailed(_("The acceptance materials are not complete."), dict(errors))
    return {"final_report": report, "target_evidence": evidence,
            "attachments": [a.get("filename", "") for a in data.get("acceptance_files") or [] if isinstance(a, dict)]}


def apply_for_acceptance(ctx, project_id, data, instance=None):
    """The lead unit applies for acceptance with the full materials (5.5.5). Returns the materials."""
    project = records.load(ctx, project_id)
    records.check_team(ctx, project, instance)
    materials = _materials(ctx, project, data)
    records.move(ctx, project, ProjectStatus.ACCEPTANCE, instance)
    records.record(ctx, "project_acceptance_applied", project, instance, **materials)
    return materials


def record_acceptance(ctx, project_id, result, opinion="", materials=None, instance=None):
    """The experts' acceptance result, and what it means for the project and its problems."""
    records.check_writer(ctx, instance)
    project = records.load(ctx, project_id)
    if result not in ACCEPTANCE_RESULTS:
        raise ValidationFailed(_("Not an acceptance result."), {"result": [
            _("Choose from: %(values)s.", values=", ".join(ACCEPTANCE_RESULTS))]})
    records.require_status(project, ProjectStatus.ACCEPTANCE)
    check = ProjectCheck(project_id=project.id, kind=ACCEPTANCE, round=_round(ctx, project, ACCEPTANCE),
                         result=result, opinion=str(opinion or ""), materials=materials,
                         instance_id=instance.id if instance is not None else None, decided_at=ctx.now,
                         decided_by_id=ctx.actor.id if ctx.actor is not None else None)
    ctx.session.add(check)
    records.record(ctx, "project_acceptance_recorded", project, instance, round=check.round, result=result)
    status, problem_status = {"pass": (ProjectStatus.ACCEPTED, ProblemStatus.SOLVED),
                              "conditional": (ProjectStatus.EXECUTING, None),
                              "fail": (ProjectStatus.FAILED, ProblemStatus.ANALYSING)}[result]
    records.move(ctx, project, status, instance, opinion)
    if problem_status is not None:
        why = _("Project %(number)s: acceptance %(result)s.", number=project.number, result=result)
        for problem in project.problems:
            if problem.status == ProblemStatus.IN_BREAKTHROUGH:
                problems.set_problem_status(ctx, problem.id, problem_status, instance=instance, reason=why)
    return check
