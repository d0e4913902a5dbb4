"""Words for the library's coded values, in the reader's language (pages, export)."""
from flask_babel import get_locale, gettext as _

from ....domain.chains import chain_label, position_label
from ....domain.severity import STARS


def status_name(value):
    return {"identified": _("Identified"), "analysing": _("Analysing"), "in_breakthrough": _("In breakthrough"),
            "solved": _("Solved"), "merged": _("Merged"), "delisted": _("Delisted")}.get(value, value or "")


def category_name(value):
    return {"technology": _("Quality technology"), "management": _("Quality management"),
            "brand": _("Quality brand"), "infrastructure": _("Quality infrastructure"),
            "other": _("Other")}.get(value, value or "")


def grade_name(value):
    return {"critical": _("Critical"), "important": _("Important"), "general": _("General")}.get(
        value, value or _("Not graded"))


def grade_stars(value):
    return "★" * STARS.get(value or "", 0)


def technical_root_name(value):
    return {"material": _("Material"), "design": _("Design"), "process": _("Production process")}.get(
        value, value or "")


def management_root_name(value):
    return {"standards": _("Standards"), "process": _("Procedures"), "skills": _("Skills")}.get(value, value or "")


def _locale():
    return str(get_locale() or "zh_CN")


def chain_name(code):
    return chain_label(code, _locale())


def position_name(problem):
    return position_label(problem.segment, problem.link, _locale())


def segment_name(value):
    return position_label(value, "", _locale())


def number(value):
    """A Decimal as people write it: 6000, 3.2 (not 6E+3, 3.200)."""
    return "" if value is None else f"{value.normalize():f}"
