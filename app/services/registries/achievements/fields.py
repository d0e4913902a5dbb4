"""The App. G admission form, checked field by field and turned into column values.

Every refusal names its field (`certificate_number`, `commitment` …), so the step that submits it
or an API caller sees what to correct (422), and nothing too long reaches the database.
"""
from datetime import date

from flask_babel import gettext as _

from ....models.states import AchievementKind, ShareCondition, ShareLevel
from ..problems.fields import FieldErrors, text_value

# field -> maximum length (the column's); the long texts are Text columns, capped at 20,000
SHORT_TEXTS = {"name": 200, "contributor_name": 200, "ip_type": 30, "right_status": 30,
               "certificate_number": 100, "right_owner": 200, "contact_name": 100, "contact_phone": 40}
LONG_TEXTS = ("summary", "technical_indicators", "application_scenarios", "conditions_text")
LONG_TEXT_LIMIT = 20_000
REQUIRED = ("name", "contributor_name", "summary", "contact_name", "contact_phone")
IP_TYPES = ("invention_patent", "utility_model", "design_patent", "software_copyright", "trade_secret",
            "standard", "none")
RIGHT_STATUSES = ("granted", "examination", "registered", "none")


def _choice(data, field, allowed, errors, required=True):
    value = data.get(field) or ""
    if not value and not required:
        return ""
    if value not in allowed:
        errors.add(field, _("Choose one of the listed values."))
        return ""
    return value


def _day(data, field, errors):
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, _("Expected a date (YYYY-MM-DD)."))
        return None


def admission_values(data):
    """(column values, FieldErrors) of an App. G form; the share level is the one requested."""
    errors = FieldErrors()
    values = {field: text_value(data, field, limit, errors) for field, limit in SHORT_TEXTS.items()}
    values.update({field: text_value(data, field, LONG_TEXT_LIMIT, errors) for field in LONG_TEXTS})
    for field in REQUIRED:
        if not values.get(field) and field not in errors:
            errors.add(field, _("Required."))
    values["kind"] = _choice(data, "kind", AchievementKind.ALL, errors)
    values["ip_type"] = _choice(data, "ip_type", IP_TYPES, errors, required=False)
    values["right_status"] = _choice(data, "right_status", RIGHT_STATUSES, errors, required=False)
    values["share_level"] = _choice(data, "share_level", ShareLevel.ALL, errors)
    values["share_conditions"] = _choice(data, "share_conditions", ShareCondition.ALL, errors)
    values["right_expires_on"] = _day(data, "right_expires_on", errors)
    if values["right_status"] == "granted" and not values["certificate_number"] and "certificate_number" not in errors:
        errors.add("certificate_number", _("A granted right needs its certificate number."))
    if data.get("commitment") is not True:
        errors.add("commitment", _("The contributor must commit that the rights are clear and the information true."))
    values["commitment"] = data.get("commitment") is True
    return values, errors
