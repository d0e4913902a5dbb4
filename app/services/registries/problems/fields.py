"""The App. C form data of a problem, checked field by field and turned into column values.

Every refusal names its field (`defect_rate`, `impact_score` …), so a process or a caller sees
what to correct (422), and nothing too long or out of range reaches the database.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ....domain import severity
from ....domain.chains import CHAINS, SEGMENTS
from ....models.states import ProblemCategory

TECHNICAL_ROOTS = ("material", "design", "process")
MANAGEMENT_ROOTS = ("standards", "process", "skills")

# field -> maximum length (the column's); texts without a limit are Text columns, capped at 20,000
SHORT_TEXTS = {"title": 200, "industry": 200, "link": 100, "node": 200, "reporter_name": 120,
               "reporter_unit_name": 200, "gap_unit": 40}
LONG_TEXTS = ("products", "description", "gap_text", "impact_scope", "impact_degree", "technical_root_text",
              "management_root_text", "suggestion")
LONG_TEXT_LIMIT = 20_000
REQUIRED = ("title", "segment", "description", "category")


class FieldErrors(dict):
    def add(self, field, message):
        self.setdefault(field, []).append(message)


def text_value(data, field, limit, errors):
    """The stripped text of `field` (empty when absent), or an error when it is not text or too long."""
    value = data.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(field, _("Expected text."))
        return ""
    value = value.strip()
    if len(value) > limit:
        errors.add(field, _("At most %(n)d characters.", n=limit))
    return value


def _decimal(data, field, errors, low=None, high=None, places=3):
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.add(field, _("Expected a number."))
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        errors.add(field, _("Must be between %(low)s and %(high)s.", low=low, high=high))
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        errors.add(field, _("At most %(n)d decimals.", n=places))
        return None
    return number


def _count(data, field, errors):
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(str(value).strip())
    except ValueError:
        errors.add(field, _("Expected a whole number."))
        return None
    if not 0 <= number < 2**31:
        errors.add(field, _("Must be zero or more."))
        return None
    return number


def _choices(data, field, allowed, errors):
    value = data.get(field) or []
    if isinstance(value, str):
        value = [v for v in value.split(",") if v]
    if not isinstance(value, list) or any(v not in allowed for v in value):
        errors.add(field, _("Choose from: %(values)s.", values=", ".join(allowed)))
        return []
    return [v for v in allowed if v in value]          # stored in one order, without repeats


def _date(data, field, default, errors):
    value = data.get(field)
    if value in (None, ""):
        return default
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, _("Dates must be written as YYYY-MM-DD."))
        return default


def scores(data, errors):
    """(impact, diffusion, urgency, total, grade): all None when no score was given yet."""
    given = [data.get(f) not in (None, "") for f in ("impact_score", "diffusion_score", "urgency_score")]
    if not any(given):
        return None, None, None, None, None
    try:
        return severity.assess(data.get("impact_score"), data.get("diffusion_score"), data.get("urgency_score"))
    except severity.ScoreError as exc:
        errors.add(exc.field, _("A score from 1 to 5, with at most one decimal."))
        return None, None, None, None, None


def problem_values(data, today, errors):
    """Column values of a new problem from its App. C data (errors collected in `errors`)."""
    values = {f: text_value(data, f, limit, errors) for f, limit in SHORT_TEXTS.items()}
    values.update({f: text_value(data, f, LONG_TEXT_LIMIT, errors) for f in LONG_TEXTS})
    for field in ("segment", "category", "chain"):
        values[field] = text_value(data, field, 20, errors)
    for field in REQUIRED:
        if not values[field] and field not in errors:
            errors.add(field, _("Required."))
    if values["segment"] and values["segment"] not in SEGMENTS:
        errors.add("segment", _("Choose from: %(values)s.", values=", ".join(SEGMENTS)))
    if values["category"] and values["category"] not in ProblemCategory.ALL:
        errors.add("category", _("Choose from: %(values)s.", values=", ".join(ProblemCategory.ALL)))
    if values["chain"] and values["chain"] not in CHAINS:
        errors.add("chain", _("Choose from: %(values)s.", values=", ".join(CHAINS)))
    values["report_date"] = _date(data, "report_date", today, errors)
    values["defect_rate"] = _decimal(data, "defect_rate", errors, Decimal(0), Decimal(100))
    values["failure_rate"] = _decimal(data, "failure_rate", errors, Decimal(0), Decimal(100))
    values["complaints"] = _count(data, "complaints", errors)
    values["gap_value"] = _decimal(data, "gap_value", errors, Decimal(-10**9), Decimal(10**9), places=4)
    values["technical_roots"] = _choices(data, "technical_roots", TECHNICAL_ROOTS, errors)
    values["management_roots"] = _choices(data, "management_roots", MANAGEMENT_ROOTS, errors)
    generic = data.get("is_generic", False)
    if not isinstance(generic, bool):
        errors.add("is_generic", _("Expected true or false."))
    values["is_generic"] = generic is True
    (values["impact_score"], values["diffusion_score"], values["urgency_score"], values["total_score"],
     values["grade"]) = scores(data, errors)
    return values
