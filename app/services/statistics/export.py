"""The office statistics as an Excel workbook: one sheet per table of the page, numbers as numbers."""
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook

from .offices import office_statistics


def _status(value):
    return {"running": _("In progress"), "completed": _("Completed"), "terminated": _("Terminated"),
            "approved": _("Approved"), "rejected": _("Rejected"),
            "cancelled_by_initiator": _("Cancelled by the applicant")}.get(value, value)


def statistics_workbook(user, district=""):
    """What the statistics page shows `user` (same scope and checks), as .xlsx bytes."""
    return workbook(office_statistics(user, district))


def workbook(stats):
    book = Workbook()
    sheets = [
        (_("Cases by status"), [_("Process"), _("Status"), _("Cases")],
         [(p, _status(s), n) for p, s, n in stats.by_status]),
        (_("Open work by step"), [_("Process"), _("Step"), _("Open"), _("Overdue")], stats.open_steps),
        (_("Time per step"),
         [_("Process"), _("Step"), _("Completed"), _("Average (hours)"), _("90th percentile (hours)")],
         [(s.process, s.step, s.count, s.mean_hours, s.p90_hours) for s in stats.step_times]),
        (_("Monthly trend"), [_("Month"), _("Started"), _("Ended")], stats.months),
    ]
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
