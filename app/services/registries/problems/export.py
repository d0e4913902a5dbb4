"""The filtered problem list as an Excel workbook (.xlsx), in the reader's language.

The rows are exactly the list's (same filter, same visibility, same order); numbers stay
numbers (rates, scores) so the sheet can be sorted and summed."""
from flask_babel import gettext as _

from ..workbook import workbook_bytes
from . import labels
from .queries import export_rows


def _joined(name, values):
    return "、".join(name(v) for v in values or [])


def _columns():
    return [
        (_("Number"), lambda p: p.number), (_("Problem"), lambda p: p.title),
        (_("Industrial chain"), lambda p: labels.chain_name(p.chain)), (_("Industry"), lambda p: p.industry),
        (_("Chain position"), labels.position_name), (_("Specific node"), lambda p: p.node),
        (_("Products or technology"), lambda p: p.products), (_("Reporter unit"), lambda p: p.reporter_unit_name),
        (_("Reporter"), lambda p: p.reporter_name), (_("Report date"), lambda p: p.report_date),
        (_("Description"), lambda p: p.description), (_("Defect rate") + " (%)", lambda p: p.defect_rate),
        (_("Failure rate") + " (%)", lambda p: p.failure_rate), (_("Complaints"), lambda p: p.complaints),
        (_("Gap to the advanced level"), lambda p: p.gap_value), (_("Gap unit"), lambda p: p.gap_unit),
        (_("Gap described"), lambda p: p.gap_text), (_("Scope of impact"), lambda p: p.impact_scope),
        (_("Degree of impact"), lambda p: p.impact_degree),
        (_("Technical root cause"), lambda p: _joined(labels.technical_root_name, p.technical_roots)),
        (_("Technical cause analysis"), lambda p: p.technical_root_text),
        (_("Management root cause"), lambda p: _joined(labels.management_root_name, p.management_roots)),
        (_("Management cause analysis"), lambda p: p.management_root_text),
        (_("Common technical problem"), lambda p: _("Yes") if p.is_generic else _("No")),
        (_("Improvement suggestion"), lambda p: p.suggestion),
        (_("Category"), lambda p: labels.category_name(p.category)),
        (_("Impact score"), lambda p: p.impact_score), (_("Diffusion score"), lambda p: p.diffusion_score),
        (_("Urgency score"), lambda p: p.urgency_score), (_("Total score"), lambda p: p.total_score),
        (_("Grade"), lambda p: labels.grade_name(p.grade)), (_("Status"), lambda p: labels.status_name(p.status)),
        (_("Merged into"), lambda p: p.merged_into.number if p.merged_into_id else ""),
    ]


def problems_workbook(user, f=None):
    """The .xlsx bytes of the problems `user` may see that pass the filter."""
    return workbook_bytes(_("Quality problems"), _columns(), export_rows(user, f), width=18)
