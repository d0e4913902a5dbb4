"""The filtered library as an Excel workbook (.xlsx), in the reader's language: the App. G columns
of every achievement the reader may read (never a card: an export holds only what its reader may
read, access.readable_by)."""
from flask_babel import gettext as _

from ..workbook import workbook_bytes
from . import labels
from .queries import export_rows


def _columns():
    return [
        (_("Number"), lambda a: a.number), (_("Achievement"), lambda a: a.name),
        (_("Contributor"), lambda a: a.contributor_name), (_("Type"), lambda a: labels.kind_name(a.kind)),
        (_("Industrial chain"), lambda a: labels.chain_name(a.chain)), (_("Achievement summary"), lambda a: a.summary),
        (_("Technical indicators"), lambda a: a.technical_indicators),
        (_("Application scenarios and scope"), lambda a: a.application_scenarios),
        (_("IP type"), lambda a: labels.ip_type_name(a.ip_type)),
        (_("Right status"), lambda a: labels.right_status_name(a.right_status)),
        (_("Certificate number"), lambda a: a.certificate_number), (_("Right owner"), lambda a: a.right_owner),
        (_("Right valid until"), lambda a: a.right_expires_on),
        (_("Share level"), lambda a: labels.level_name(a.share_level)),
        (_("Share conditions"), lambda a: labels.conditions_name(a.share_conditions)),
        (_("Status"), lambda a: labels.status_name(a.status)),
    ]


def achievements_workbook(user, now, f=None):
    """The .xlsx bytes of the achievements `user` may read that pass the filter."""
    return workbook_bytes(_("Achievements"), _columns(), export_rows(user, now, f))
