"""Coercion of input and output values to the clause's typeRef.

Numbers are exact: number/double give a Decimal (a float is read as the Decimal
of its shortest repr, 0.1 -> Decimal('0.1')), integer/long give an int (stars,
counts: an int stays what the reader expects in data and templates). A value
that does not fit raises ValueError; None stays None (an absent value).
"""
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..expressions import exact_number


def coerce(value: Any, type_ref: str | None) -> Any:
    if value is None:
        return None
    if type_ref in ("number", "double"):
        return _decimal(value)
    if type_ref in ("integer", "long"):
        number = _decimal(value)
        if number != number.to_integral_value():
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(number)
    if type_ref == "string":
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        return value
    if type_ref == "boolean":
        return _boolean(value)
    if type_ref == "date":
        return _date(value)
    return exact_number(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float, str)):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"expected a number, got {value!r}") from None
        if number.is_finite():
            return number
    raise ValueError(f"expected a number, got {value!r}")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"expected true or false, got {value!r}")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            try:
                return datetime.fromisoformat(value.strip()).date()
            except ValueError:
                pass
    raise ValueError(f"expected a date (YYYY-MM-DD), got {value!r}")
