"""Words for the library's coded values, in the reader's language (pages, export)."""
from flask_babel import gettext as _

from ..problems.labels import chain_name  # noqa: F401  (the templates ask this module for every label)


def kind_name(value):
    return {"patent": _("Patent"), "technical_secret": _("Technical secret"),
            "software_copyright": _("Software copyright"), "standard": _("Technical standard"),
            "solution": _("Solution"), "database": _("Database"), "typical_case": _("Typical case"),
            "other": _("Other")}.get(value, value or "")


def level_name(value):
    return {"public": _("Fully public"), "consortium": _("Within the consortium"), "directed": _("Directed"),
            "paid": _("Paid")}.get(value, value or "")


def conditions_name(value):
    return {"free": _("Free of charge"), "paid": _("Paid, with terms"),
            "agreement": _("Agreement required")}.get(value, value or "")


def status_name(value):
    return {"under_review": _("Under review"), "published": _("Published"), "rejected": _("Not admitted"),
            "withdrawn": _("Application withdrawn"), "delisted": _("Withdrawn from the library")}.get(
        value, value or "")


def ip_type_name(value):
    return {"invention_patent": _("Invention patent"), "utility_model": _("Utility model"),
            "design_patent": _("Design patent"), "software_copyright": _("Software copyright"),
            "trade_secret": _("Trade secret"), "standard": _("Standard"), "none": _("None")}.get(value, value or "")


def right_status_name(value):
    return {"granted": _("Granted"), "examination": _("In substantive examination"),
            "registered": _("Registered"), "none": _("Not applicable")}.get(value, value or "")


def event_name(value):
    return {"achievement_submitted": _("Admission form submitted"),
            "achievement_revised": _("Admission form revised"),
            "achievement_status_changed": _("Status changed"), "achievement_published": _("Published"),
            "achievement_right_expired": _("Right expired"), "achievement_right_updated": _("Right updated"),
            "achievement_delisting_requested": _("Delisting review requested")}.get(value, value or "")
