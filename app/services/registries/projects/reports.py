"""Quarterly progress reports (standard 5.5.4a): each milestone done or not, each target's value.

A report closes its quarter's report_missing alert and the milestone_overdue alerts of the
milestones it gives as done; each target's value is compared with the straight line from baseline
to target (task_book.lag_percent on the quarter's last day) and rules/project_risk.dmn decides
whether the lag raises a target_behind alert, or closes an open one when the target caught up.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ....domain import task_book
from ....models import ProgressReport
from ....models.states import ProjectStatus, RiskRule
from ...errors import Conflict, ValidationFailed
from ...notify.notifications import said
from ..problems.fields import FieldErrors
from . import alerts, due_checks, records, task_books

DONE = (True, "true", "1", "yes", "y", "是", "已完成", "完成")


def _done(value):
    """A table cell typed on a page ("是", "yes") or a boolean from the API."""
    return value is True or (isinstance(value, str) and value.strip().lower() in DONE)


def _milestones(book, rows, errors):
    keys = {m["key"] for m in book.get("milestones", [])}
    given = {str(r.get("key")): r for r in rows or [] if isinstance(r, dict)}
    for key in given:
        if key not in keys:
            errors.add("milestones", _("No milestone %(key)s in the task book.", key=key))
    return [{"key": key, "done": _done(given.get(key, {}).get("done")),
             "note": str(given.get(key, {}).get("note") or "")[:1000]} for key in sorted(keys)]


def _targets(book, rows, errors):
    keys = {t["key"] for t in book.get("targets", [])}
    values = []
    for i, row in enumerate(r for r in rows or [] if isinstance(r, dict)):
        key, value = str(row.get("key")), str(row.get("value") if row.get("value") is not None else "").strip()
        if key not in keys:
            errors.add(f"targets.{i}.key", _("No target %(key)s in the task book.", key=key))
        elif value and task_book.number(value) is None:
            errors.add(f"targets.{i}.value", _("A number is required."))
        elif value:
            values.append({"key": key, "value": value})
    return values


def submit_report(ctx, project_id, data, instance=None):
    """Record a quarter's report (service task `project_record_report`, or the team directly)."""
    project = records.load(ctx, project_id)
    records.check_team(ctx, project, instance)
    records.require_status(project, ProjectStatus.EXECUTING)
    version = task_books.current(ctx, project)
    book = version.content
    quarter = str(data.get("report_quarter") or "")
    errors = FieldErrors()
    if quarter not in due_checks.quarters(book):
        errors.add("report_quarter", _("Not a quarter of the project period."))
    milestones = _milestones(book, data.get("milestones"), errors)
    targets = _targets(book, data.get("target_values"), errors)
    if errors:
        raise ValidationFailed(_("The progress report is not complete."), dict(errors))
    if ctx.session.execute(select(ProgressReport.id).where(
            ProgressReport.project_id == project.id, ProgressReport.period == quarter)).first() is not None:
        raise Conflict(_("The report of %(quarter)s is in already.", quarter=quarter))
    report = ProgressReport(project_id=project.id, period=quarter, period_end=task_book.quarter_end(quarter),
                            task_book_version=version.version, summary=str(data.get("summary") or ""),
                            milestones=milestones, targets=targets,
                            instance_id=instance.id if instance is not None else None, submitted_at=ctx.now,
                            submitted_by_id=ctx.actor.id if ctx.actor is not None else None)
    ctx.session.add(report)
    ctx.session.flush()
    records.record(ctx, "project_report_submitted", project, instance, quarter=quarter,
                   done=[m["key"] for m in milestones if m["done"]], targets=targets)
    _settle_alerts(ctx, project, book, report, instance)
    return report


def _settle_alerts(ctx, project, book, report, instance):
    alerts.close_alert(ctx, project, RiskRule.REPORT_MISSING, report.period,
                       _("The report of %(quarter)s arrived.", quarter=report.period), instance)
    for milestone in report.milestones:
        if milestone["done"]:
            alerts.close_alert(ctx, project, RiskRule.MILESTONE_OVERDUE, milestone["key"],
                               _("Milestone %(key)s reported done.", key=milestone["key"]), instance)
    start, end = task_book.period(book)
    targets = {t["key"]: t for t in book.get("targets", [])}
    for row in report.targets:
        lag = task_book.lag_percent(targets[row["key"]], row["value"], start, end, report.period_end)
        evaluate_target(ctx, project, targets[row["key"]], row["value"], lag, report.period, instance)


def evaluate_target(ctx, project, target, value, lag, quarter, instance=None):
    """Raise target_behind when the rules say the lag is enough; close it when the target caught up."""
    lag = Decimal(0) if lag is None else lag
    if not alerts.assess(ctx, RiskRule.TARGET_BEHIND, lag_percent=lag)["alert"]:
        alerts.close_alert(ctx, project, RiskRule.TARGET_BEHIND, target["key"],
                           _("Target %(key)s is back on track (%(quarter)s).", key=target["key"], quarter=quarter),
                           instance)
        return None
    return alerts.open_alert(
        ctx, project, RiskRule.TARGET_BEHIND, target["key"],
        said("Target %(key)s (%(name)s) reported %(value)s for %(quarter)s: %(lag)s %% behind plan.",
             key=target["key"], name=target.get("name") or target.get("product"), value=str(value), quarter=quarter,
             lag=str(lag)), instance=instance, lag_percent=lag,
        detail={"target": target["key"], "value": str(value), "quarter": quarter})
