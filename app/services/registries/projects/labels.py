"""Words for the project library's coded values, in the reader's language (pages, export)."""
from flask_babel import gettext as _

from ..problems.labels import chain_name, number  # noqa: F401  (the same words on both libraries)


def status_name(value):
    return {"proposed": _("Proposed"), "rejected": _("Proposal rejected"), "withdrawn": _("Proposal withdrawn"),
            "task_book": _("Task book in preparation"),
            "executing": _("Executing"), "acceptance": _("Acceptance applied for"), "accepted": _("Accepted"),
            "failed": _("Acceptance failed"), "terminated": _("Terminated")}.get(value, value or "")


def direction_name(value):
    return {"design": _("Design and development quality"), "supply_chain": _("Supply-chain quality control"),
            "manufacturing": _("Agile and lean manufacturing"), "service": _("User service quality"),
            "infrastructure": _("Quality infrastructure")}.get(value, value or "")


def severity_name(value):
    return {"high": _("High risk"), "medium": _("Medium risk"), "low": _("Low risk")}.get(
        value, value or _("No open risk"))


def rule_name(value):
    return {"report_missing": _("Quarterly report missing"), "milestone_overdue": _("Milestone overdue"),
            "target_behind": _("Target behind its trajectory"),
            "rectification_overdue": _("Rectification overdue"),
            "team_reported": _("Reported by the team")}.get(value, value or "")


def target_kind_name(value):
    return {"technical": _("Technical target"), "quality": _("Quality target"),
            "application": _("Industrial application target")}.get(value, value or "")


def check_kind_name(value):
    return {"midterm": _("Mid-term check"), "acceptance": _("Acceptance")}.get(value, value or "")


def check_result_name(value):
    return {"pass": _("Passed"), "rectify": _("Rectification needed"), "conditional": _("Passed with conditions"),
            "fail": _("Not passed")}.get(value, value or "")


def change_status_name(value):
    return {"pending": _("Pending approval"), "approved": _("Approved"), "rejected": _("Rejected"),
            "withdrawn": _("Withdrawn")}.get(
        value, value or "")


def change_kind_name(value):
    return {"goal": _("Goal"), "content": _("Content"), "leader": _("Person in charge"),
            "period": _("Period")}.get(value, value or "")


def alert_event_name(value):
    return {"opened": _("Opened"), "note": _("Note"), "closed": _("Closed")}.get(value, value or "")


def field_name(value):
    """A task book field or table (the first part of a diff path)."""
    return {"name": _("Project name"), "leader": _("Person in charge"), "research_content": _("Research content"),
            "technical_route": _("Technical route"), "period_start": _("Period start"),
            "period_end": _("Period end"), "targets": _("Targets"), "organisation": _("Organisation"),
            "milestones": _("Milestones"), "budget": _("Budget")}.get(value, value or "")


def column_name(table, value):
    """A column of a task book table (`unit`: of measure in targets, the unit in charge elsewhere)."""
    if value == "unit":
        return _("Unit of measure") if table == "targets" else _("Responsible unit")
    return {"key": _("Key"), "kind": _("Kind"), "name": _("Name"), "baseline": _("Baseline"),
            "target": _("Target value"), "product": _("Line or product"), "person": _("Person in charge"),
            "task": _("Task"), "due": _("Planned date"), "deliverable": _("Deliverable"), "item": _("Item"),
            "amount": _("Amount (10k yuan)"), "source": _("Source of funds")}.get(value, value or "")


def change_name(value):
    return {"added": _("Added"), "removed": _("Removed"), "changed": _("Changed")}.get(value, value or "")
