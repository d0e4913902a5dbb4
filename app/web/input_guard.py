"""Input no view should ever see, refused before any view runs, for the pages and the API alike.

- Path ids: the `int` URL converter answers 404 for an id no table can hold (above
  2^31 - 1, PostgreSQL's `integer`), so no view passes an overflowing number to the database.
- A NUL character in any parameter (query string, form field and its name, an upload's file
  name, a path segment, a JSON string or key): PostgreSQL cannot store or compare it. It is
  refused with 400 naming the field, never stripped: a silently changed value is worse than a
  clear refusal (docs/api.md, "Errors").
- A JSON body (application/json or +json): it must be UTF-8 and valid JSON, nested at most
  MAX_JSON_DEPTH deep, with integers of at most MAX_INT_DIGITS digits, no `Infinity`/`NaN`
  (not JSON; the database would keep them and the API would then send invalid JSON) and no
  lone surrogates (not encodable as UTF-8). Each refusal is a 400 naming the field.
"""
import json
import math
import re

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1          # PostgreSQL `integer`; SQLite ids stay far below it too
MAX_JSON_DEPTH = 64
MAX_INT_DIGITS = 100
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """`<int:…>` for database ids: a number beyond MAX_ID matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BadInput(BadRequest):
    """400 with the fields at fault in `data["messages"]`, the shape app/web/errors.py reports."""

    def __init__(self, errors):
        field, messages = next(iter(errors.items()))
        super().__init__(_("%(field)s: %(message)s", field=field, message=messages[0]))
        self.data = {"messages": errors}


def _string_problem(value):
    match = _NOT_STORABLE.search(value)
    if match is None:
        return None
    if match.group() == "\x00":
        return _("Must not contain a NUL character.")
    return _("Must not contain a lone surrogate (not valid Unicode text).")


def _reject_constant(name):
    raise ValueError(_("%(name)s is not a number JSON allows.", name=name))


def _parse_int(text):
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(_("An integer of more than %(n)d digits.", n=MAX_INT_DIGITS))
    return int(text)


def _parse_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(_("%(name)s is not a number JSON allows.", name=text))
    return value


def json_problems(value, path="", depth=0):
    """(field path, message) for each part of a decoded JSON value the app cannot take."""
    if depth > MAX_JSON_DEPTH:
        yield path or "json", _("Nested more than %(n)d levels deep.", n=MAX_JSON_DEPTH)
        return
    if isinstance(value, str):
        problem = _string_problem(value)
        if problem:
            yield path or "json", problem
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            problem = _string_problem(key)
            if problem:
                yield here.replace("\x00", "\\u0000"), problem
                continue
            yield from json_problems(item, here, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from json_problems(item, f"{path}.{i}" if path else str(i), depth + 1)


def _check_json_body():
    raw = request.get_data(cache=True)
    if not raw.strip():
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput({"json": [_("The body is not valid UTF-8.")]}) from None
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int,
                           parse_float=_parse_float)
    except RecursionError:
        raise BadInput({"json": [_("Nested more than %(n)d levels deep.", n=MAX_JSON_DEPTH)]}) from None
    except ValueError as exc:   # json.JSONDecodeError is a ValueError, as are the refusals above
        raise BadInput({"json": [_("Not valid JSON: %(reason)s", reason=str(exc))]}) from None
    problems = {}
    for path, message in json_problems(value):
        problems.setdefault(path, []).append(message)
    if problems:
        raise BadInput(problems)


def _check_pairs(pairs):
    problems = {}
    for name, value in pairs:
        for text in (name, value):
            problem = _string_problem(text) if isinstance(text, str) else None
            if problem:
                problems.setdefault(name.replace("\x00", "\\u0000"), []).append(problem)
    if problems:
        raise BadInput(problems)


def check_request():
    """Refuse what the module docstring lists (before_request, ahead of every other hook)."""
    _check_pairs((name, str(value)) for name, value in (request.view_args or {}).items())
    _check_pairs(request.args.items(multi=True))
    if request.method in BODY_METHODS:
        if request.is_json:
            _check_json_body()
        else:
            _check_pairs(request.form.items(multi=True))
            _check_pairs((name, upload.filename or "") for name, upload in request.files.items(multi=True))


def install_converter(app):
    """Before any route is added: rules bind their converters when they are added."""
    app.url_map.converters["int"] = IdConverter


def init_app(app):
    install_converter(app)
    app.before_request(check_request)
