"""The terms of an App. H licence agreement, checked field by field, and the agreement's canonical
text, whose SHA-256 both parties confirm.

Every refusal names its field (`term_to`, `fee_amount` …), so the apply page, the revision step and
API callers see what to correct (422). The terms travel in the licence case's data as text (dates as
ISO dates, the fee as a decimal string), and enter the library through `values`.
"""
import hashlib
import json
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ....models.states import LicenceType
from ..problems.fields import FieldErrors, text_value

SHORT_TEXTS = {"territory": 200, "field_of_use": 200}
LONG_TEXTS = ("payment_schedule", "duties", "liability", "dispute_resolution")
LONG_TEXT_LIMIT = 20_000
REQUIRED_TEXTS = ("territory", "field_of_use", "duties", "liability", "dispute_resolution")
FIELDS = ("licence_type", *SHORT_TEXTS, "term_from", "term_to", "fee_amount", *LONG_TEXTS)
MAX_FEE = Decimal("999999999999.99")
MAX_TERM_DAYS = 366 * 50
LAST_DAY = date(2200, 1, 1)


def _date(data, field, errors):
    value = data.get(field)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.add(field, _("Expected a date (YYYY-MM-DD)."))
        return None


def _fee(data, errors):
    value = data.get("fee_amount")
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, bool):
        errors.add("fee_amount", _("Expected an amount in yuan, e.g. 50000.00."))
        return Decimal("0.00")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount > MAX_FEE or amount != amount.quantize(Decimal("0.01")):
        errors.add("fee_amount", _("Expected an amount in yuan, e.g. 50000.00."))
        return Decimal("0.00")
    return amount.quantize(Decimal("0.01"))


def _term(values, today, errors):
    start, end = values["term_from"], values["term_to"]
    if start is None or end is None:
        return
    if end < start:
        errors.add("term_to", _("The term ends before it begins."))
    elif (end - start).days > MAX_TERM_DAYS:
        errors.add("term_to", _("A term of at most 50 years."))
    elif end >= LAST_DAY:
        errors.add("term_to", _("The term must end before the year 2200."))
    if today is not None and end < today:
        errors.add("term_to", _("The term has ended already."))


def values(data, today=None):
    """(column values of the terms, FieldErrors). `today` set: a term that has ended is refused."""
    errors = FieldErrors()
    if not isinstance(data, dict):
        errors.add("terms", _("Expected the terms of the agreement."))
        return {}, errors
    found = {"licence_type": data.get("licence_type") or ""}
    if found["licence_type"] not in LicenceType.ALL:
        errors.add("licence_type", _("Choose one of the listed values."))
    for field, limit in SHORT_TEXTS.items():
        found[field] = text_value(data, field, limit, errors)
    for field in LONG_TEXTS:
        found[field] = text_value(data, field, LONG_TEXT_LIMIT, errors)
    for field in REQUIRED_TEXTS:
        if not found[field] and field not in errors:
            errors.add(field, _("Required."))
    found["term_from"], found["term_to"] = _date(data, "term_from", errors), _date(data, "term_to", errors)
    _term(found, today, errors)
    found["fee_amount"] = _fee(data, errors)
    return found, errors


def as_data(licence_or_values):
    """The terms as case data (JSON values): dates as ISO text, the fee as a decimal string."""
    get = licence_or_values.get if isinstance(licence_or_values, dict) else \
        (lambda name: getattr(licence_or_values, name))
    data = {name: get(name) for name in FIELDS}
    data["term_from"], data["term_to"] = str(data["term_from"]), str(data["term_to"])
    data["fee_amount"] = f"{Decimal(data['fee_amount']):.2f}"
    return data


def canonical_text(licence):
    """The agreement as both parties confirm it: every App. H field, in a fixed order, as JSON with
    sorted keys and no spaces (UTF-8). The same record always gives the same text."""
    achievement = licence.achievement
    document = {
        "number": licence.number, "achievement_number": achievement.number, "achievement_name": achievement.name,
        "licensor": licence.licensor_name, "licensee": licence.licensee_name,
        "licensee_credit_code": licence.licensee_credit_code, **as_data(licence)}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def text_hash(licence):
    """SHA-256 (hex) of the canonical text."""
    return hashlib.sha256(canonical_text(licence).encode("utf-8")).hexdigest()
