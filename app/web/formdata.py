"""Turn a posted HTML form into the JSON the form schema describes.

Table rows arrive as `members-<row>-<field>`; attachments already on the case
as repeated `attachments-token` values; new files as `attachments-files`.
Blank optional strings are dropped, so "required" errors read naturally.
"""
import re

_ROW = re.compile(r"^(?P<field>[a-z_][a-z0-9_]*)-(?P<row>\d+)-(?P<col>[a-z_][a-z0-9_]*)$")


def parse_form(schema, form):
    properties = (schema or {}).get("properties", {})
    data = {}
    for name, spec in properties.items():
        kind = spec.get("type")
        widget = spec.get("x-widget")
        if widget == "attachments":
            tokens, names = form.getlist(f"{name}-token"), form.getlist(f"{name}-filename")
            if tokens:
                data[name] = [{"token": t, "filename": n} for t, n in zip(tokens, names, strict=False)]
        elif kind == "array" and spec.get("items", {}).get("type") == "object":
            rows = {}
            for key in form.keys():
                match = _ROW.match(key)
                if match and match.group("field") == name:
                    rows.setdefault(int(match.group("row")), {})[match.group("col")] = form.get(key, "").strip()
            table = [{k: v for k, v in row.items() if v != ""} for _i, row in sorted(rows.items())]
            table = [row for row in table if row]
            if table or name in form:
                data[name] = table
        elif widget == "checkboxes":
            chosen = [v.strip() for v in form.getlist(name) if v.strip()]
            if chosen:
                data[name] = chosen
        elif kind == "boolean":
            if name in form:
                data[name] = form.get(name) in ("1", "true", "on", "yes")
        elif kind in ("integer", "number"):
            raw = form.get(name, "").strip()
            if raw:
                try:
                    data[name] = int(raw) if kind == "integer" else float(raw)
                except ValueError:
                    data[name] = raw   # the schema check names the field
        else:
            raw = form.get(name)
            if raw is not None and raw.strip() != "":
                data[name] = raw.strip()
    return data
