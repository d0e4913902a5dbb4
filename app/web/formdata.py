"""Turn a posted HTML form into the JSON the form schema describes.

Table rows arrive as `members-<row>-<field>`; attachments already on the case
as repeated `attachments-token` values; new files as `attachments-files`.
Blank optional strings are dropped, so "required" errors read naturally.
"""
import math
import re

_ROW = re.compile(r"^(?P<field>[a-z_][a-z0-9_]*)-(?P<row>\d+)-(?P<col>[a-z_][a-z0-9_]*)$")


_ABSENT = object()


def parse_form(schema, form):
    data = {}
    for name, spec in (schema or {}).get("properties", {}).items():
        value = _field_value(name, spec, form)
        if value is not _ABSENT:
            data[name] = value
    return data


def _field_value(name, spec, form):
    """One field's value from the posted form, or _ABSENT when the user left it empty."""
    kind, widget = spec.get("type"), spec.get("x-widget")
    if widget == "attachments":
        tokens, names = form.getlist(f"{name}-token"), form.getlist(f"{name}-filename")
        return [{"token": t, "filename": n} for t, n in zip(tokens, names, strict=False)] if tokens else _ABSENT
    if kind == "array" and spec.get("items", {}).get("type") == "object":
        return _table(name, form)
    if widget == "checkboxes":
        chosen = [v.strip() for v in form.getlist(name) if v.strip()]
        return chosen or _ABSENT
    if kind == "array":                 # a multi-select (`<select multiple>`): each chosen value, typed
        chosen = [_scalar(spec.get("items", {}).get("type"), v.strip()) for v in form.getlist(name) if v.strip()]
        return chosen or _ABSENT
    if kind == "boolean":
        return form.get(name) in ("1", "true", "on", "yes") if name in form else _ABSENT
    raw = (form.get(name) or "").strip()
    if not raw:
        return _ABSENT
    return _scalar(kind, raw)


def _scalar(kind, raw):
    if kind in ("integer", "number"):
        try:
            number = int(raw) if kind == "integer" else float(raw)
        except ValueError:
            return raw   # the schema check names the field
        return number if math.isfinite(number) else raw    # "inf", "nan": not a number a form may hold
    return raw


def _table(name, form):
    rows = {}
    for key in form.keys():
        match = _ROW.match(key)
        if match and match.group("field") == name:
            rows.setdefault(int(match.group("row")), {})[match.group("col")] = form.get(key, "").strip()
    table = [{k: v for k, v in row.items() if v != ""} for _i, row in sorted(rows.items())]
    table = [row for row in table if row]
    return table if table or name in form else _ABSENT
