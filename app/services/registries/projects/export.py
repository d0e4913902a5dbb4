"""The filtered project list as an Excel workbook (.xlsx), in the reader's language: the App. E
columns and the list's own (direction, status, risk, task book version). The rows are exactly the
list's (same filter, same visibility, same order)."""
from flask_babel import gettext as _

from ..workbook import workbook_bytes
from . import labels
from .queries import export_rows


def _problems(project):
    return "\n".join(f"{p.number} {p.title}" for p in project.shown_problems)


def _units(project):
    return "\n".join([project.lead_unit_name, *(project.participating_units or [])])


def _columns():
    return [
        (_("Number"), lambda p: p.number), (_("Project name"), lambda p: p.name),
        (_("Problems addressed"), _problems), (_("Lead and participating units"), _units),
        (_("Expected results"), lambda p: p.expected_results),
        (_("Industrial chain"), lambda p: labels.chain_name(p.chain)),
        (_("Direction"), lambda p: labels.direction_name(p.direction)),
        (_("Status"), lambda p: labels.status_name(p.status)),
        (_("Risk level"), lambda p: labels.severity_name(p.risk_level)),
        (_("Task book version"), lambda p: p.task_book_version or None),
        (_("Period start"), lambda p: p.period_start), (_("Period end"), lambda p: p.period_end),
    ]


def projects_workbook(user, f=None):
    """The .xlsx bytes of the projects `user` may see that pass the filter."""
    return workbook_bytes(_("Breakthrough projects"), _columns(), export_rows(user, f))
