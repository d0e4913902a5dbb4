"""What a form schema written in the browser must pass before it is deployed or previewed.

The checks a deploy applies to forms/ (a valid Draft 2020-12 schema, no reserved field name), and
the shapes the task page's renderer (templates/_form.html) and the posted-form reader
(web/formdata.py) rely on: an object with `properties`, each field an object with a plain name, a
table's columns, a decision's and checkboxes' options. Each problem names the JSON path and the
line of the text it was found on, in the reader's language; the schema library's own text is kept
verbatim, as the engine keeps lxml's.
"""
import json
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from jsonschema import Draft202012Validator

from .forms import RESERVED_KEYS

FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class SchemaProblem:
    path: str           # the JSON path, e.g. properties.name.type ("" for the whole schema)
    line: int | None    # the line of the text it was found on
    message: str

    def describe(self):
        where = self.path or _("the schema")
        if self.line:
            return _("Line %(line)d, %(path)s: %(message)s", line=self.line, path=where, message=self.message)
        return _("%(path)s: %(message)s", path=where, message=self.message)


def read_schema(text):
    """(schema, problems) from the text an administrator wrote; schema is None when unreadable."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [SchemaProblem("", exc.lineno, _("not valid JSON: %(detail)s", detail=exc.msg))]
    problems = [SchemaProblem(path, line_of(text, path.split(".") if path else []), message)
                for path, message in schema_problems(schema)]
    return schema, problems


def schema_problems(schema):
    """[(JSON path, message)] of everything that stops `schema` from being deployed."""
    if not isinstance(schema, dict):
        return [("", _("a form schema must be a JSON object"))]
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    problems = [(_dotted(error.absolute_path), _("not a valid JSON Schema: %(detail)s", detail=error.message))
                for error in meta.iter_errors(schema)]
    if problems:
        return problems
    properties = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(properties, dict) or not properties:
        return [("properties", _("a form needs \"type\": \"object\" and at least one field under \"properties\""))]
    for name in schema.get("required", []):
        if name not in properties:
            problems.append(("required", _("required field '%(name)s' is not under properties", name=name)))
    for name, spec in properties.items():
        problems.extend(_field_problems(f"properties.{name}", name, spec, top=True))
    return problems


def _field_problems(path, name, spec, top=False):
    if not FIELD_NAME.match(name):
        yield path, _("a field name uses lower-case letters, digits and _ and does not begin with a digit")
    if (top and name in RESERVED_KEYS) or name == "typename":
        yield path, _("the field name '%(name)s' is reserved", name=name)
    if not isinstance(spec, dict):
        yield path, _("a field must be an object with at least a \"type\"")
        return
    widget = spec.get("x-widget")
    items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
    if widget == "table":
        columns = items.get("properties")
        if spec.get("type") != "array" or items.get("type") != "object" or not isinstance(columns, dict) or not columns:
            yield path, _("a table is an array whose items are objects with their columns under \"properties\"")
            return
        for column, column_spec in columns.items():
            yield from _field_problems(f"{path}.items.properties.{column}", column, column_spec)
    elif widget == "checkboxes" and (spec.get("type") != "array" or not items.get("enum")):
        yield path, _("checkboxes are an array whose items list their options under \"enum\"")
    elif widget == "decision" and not spec.get("enum"):
        yield path, _("a decision lists its options under \"enum\"")


def _dotted(parts):
    return ".".join(str(p) for p in parts)


def line_of(text, path):
    """The line where a JSON path's last key is written: each key searched after the one before
    (array indexes are skipped), so `properties.name.type` finds the type of that field."""
    position = 0
    for key in path:
        if key == "" or str(key).isdigit():
            continue
        found = re.compile(re.escape(json.dumps(str(key))) + r"\s*:").search(text, position)
        if found is None:
            break
        position = found.start()
    return text.count("\n", 0, position) + 1


def required_added(old, new):
    """Fields `new` requires that `old` did not (a task page of the new version asks for more)."""
    before = set((old or {}).get("required", []))
    return [name for name in (new or {}).get("required", []) if name not in before]
