"""Form schemas (JSON Schema in forms/) and server-side validation.

Every error is reported under the path of the field it belongs to
(`members.2.credit_code`), so the page can show it next to that field and the
API can return it in `errors`.
"""
import json
from pathlib import Path

from flask_babel import gettext as _
from jsonschema import Draft202012Validator, FormatChecker

from ...domain.credit_code import Reason, validate_credit_code
from ..errors import ValidationFailed
from ..registries.achievements.choices import solved_problem_choices
from ..registries.consortium import consortium_choices
from ..registries.projects.proposals import problem_choices

RESERVED_KEYS = {"typename", "initiator", "initiator_unit", "initiator_name", "initiator_unit_name"}

format_checker = FormatChecker()


@format_checker.checks("uscc", raises=ValueError)
def _check_uscc(value):
    if not isinstance(value, str):
        return True
    reason = validate_credit_code(value)
    if reason:
        raise ValueError(reason)
    return True


def load_forms(folder):
    """All schemas in a folder, by form key (the file stem); each must be a valid schema."""
    forms = {}
    for path in sorted(Path(folder).glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        bad = RESERVED_KEYS & set(schema.get("properties", {}))
        if bad:
            raise ValueError(f"{path.name}: field name(s) {sorted(bad)} are reserved")
        forms[path.stem] = schema
    return forms


def _message(error):
    kind = error.validator
    if kind == "required":
        return _("This field is required.")
    if kind == "format" and error.validator_value == "uscc":
        reason = error.cause.args[0] if error.cause is not None and error.cause.args else error.message
        if isinstance(reason, Reason):                 # the domain's English reason, in the user's language
            reason = _(reason.template, **reason.params)
        return _("Not a valid unified social credit code: %(reason)s", reason=reason)
    if kind == "format" and error.validator_value == "date":
        return _("Write a date as YYYY-MM-DD.")
    if kind == "pattern":
        return _("The format is not valid.")
    if kind == "minLength":
        return _("Enter at least %(n)d characters.", n=error.validator_value)
    if kind == "maxLength":
        return _("Enter at most %(n)d characters.", n=error.validator_value)
    if kind == "enum":
        return _("Choose one of the listed options.")
    if kind == "minItems":
        return _("Add at least %(n)d row(s).", n=error.validator_value)
    if kind == "maxItems":
        return _("At most %(n)d row(s) are allowed.", n=error.validator_value)
    if kind == "type":
        return _("The value has the wrong type.")
    if kind == "additionalProperties":
        return _("Unknown field(s): %(detail)s", detail=error.message)
    if kind == "const":
        return _("This must be confirmed.") if error.validator_value is True else _("This value is not allowed.")
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return _("The number is out of range.")
    return error.message


def _path(error):
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    return ".".join(str(p) for p in path) or "_form"


_validators: dict = {}


_by_object: dict = {}


def _validator(schema):
    """One compiled validator per schema (schemas are immutable once deployed).

    Deployed forms come from the definitions cache as the same dict each time, so they are
    found by identity first (the entry keeps the dict alive, so its id is not reused);
    serialising a schema to find its validator cost more than validating a small form."""
    entry = _by_object.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    key = json.dumps(schema, sort_keys=True)
    validator = _validators.get(key)
    if validator is None:
        validator = _validators[key] = Draft202012Validator(schema, format_checker=format_checker)
    if len(_by_object) < 1000:
        _by_object[id(schema)] = (schema, validator)
    return validator


def field_errors(schema, data):
    errors = {}
    for error in _validator(schema).iter_errors(data):
        errors.setdefault(_path(error), []).append(_message(error))
    members = data.get("members") if isinstance(data, dict) else None
    if isinstance(members, list):   # App. A: a unit may appear once in the member table
        seen = {}
        for i, row in enumerate(members):
            code = (row or {}).get("credit_code") if isinstance(row, dict) else None
            if code and code in seen:
                errors.setdefault(f"members.{i}.credit_code", []).append(
                    _("This credit code is already listed in row %(row)d.", row=seen[code] + 1))
            elif code:
                seen[code] = i
    return errors


def reserved_key_paths(value, path=""):
    """Paths of keys the workflow serializer cannot store (`typename` marks its own objects)."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "typename":
                yield here
            yield from reserved_key_paths(item, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from reserved_key_paths(item, f"{path}.{i}" if path else str(i))


STEP_OWN = ("decision", "opinion")   # what each step decides and says itself: never carried over from another


def prefill(schema, case):
    """What a step's form shows before its user types: the case's values of its fields (a field with
    `x-from: severity.grade` shows a value inside the case data, for read-only display; one with
    `x-default-from: initiator_unit_name` starts from that value while the case has none), except
    the decision and the opinion, which belong to each step."""
    values = {}
    for name, spec in (schema or {}).get("properties", {}).items():
        if name in STEP_OWN:
            continue
        value = case.get(name) if not spec.get("x-from") else _at(case, spec["x-from"])
        if value is None and spec.get("x-default-from"):      # a suggestion the user may change
            value = _at(case, spec["x-default-from"]) or None
        if value is not None:
            values[name] = value
    return values


def _at(data, path):
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


# x-widget -> (session, user) -> [(value, label)]: fields whose choices depend on who fills the form.
# An array field (`"type": "array"`) chooses several of them.
OPTION_SOURCES = {"consortium": consortium_choices, "source_problems": problem_choices,
                  "library_problems": solved_problem_choices}


def field_options(schema, session, user):
    """The choices of each such field of `schema` for `user` (the page lists them; validate checks them)."""
    return {name: OPTION_SOURCES[spec["x-widget"]](session, user)
            for name, spec in (schema or {}).get("properties", {}).items() if spec.get("x-widget") in OPTION_SOURCES}


def _offered(value, labels):
    return not isinstance(value, (list, dict)) and value in labels


def validate(schema, data, opinion_required=False, options=None):
    """Return the cleaned data, or raise ValidationFailed with per-field messages.
    `options`: field -> the choices this user has (field_options); a value outside them is refused."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("The form data must be an object."), {"_form": [_("Expected an object.")]})
    errors = field_errors(schema, data) if schema else {}
    for name, choices in (options or {}).items():
        if name not in data or name in errors:
            continue
        labels = dict(choices)
        if isinstance(data[name], list):      # a multi-select: every chosen value must be offered
            if not all(_offered(item, labels) for item in data[name]):
                errors[name] = [_("Choose one of the listed options.")]
        elif not _offered(data[name], labels):
            errors[name] = [_("Choose one of the listed options.")]
        elif schema["properties"][name].get("x-label-field"):    # the name shown for the chosen id
            data = dict(data, **{schema["properties"][name]["x-label-field"]: labels[data[name]]})
    for path in reserved_key_paths(data):
        errors.setdefault(path, []).append(_("This field name is reserved."))
    if opinion_required and not str(data.get("opinion", "")).strip():
        errors.setdefault("opinion", []).append(_("An opinion is required at this step."))
    if errors:
        raise ValidationFailed(_("Some fields need correcting."), errors)
    return data


def decision_of(data):
    return str(data.get("decision", "")) if isinstance(data, dict) else ""
