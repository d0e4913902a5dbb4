"""Reading a library list's filters from query parameters: each a choice from a fixed set, a
free text cut to its column, and a sort key. A bad value is a 422 naming its parameter."""
from flask_babel import gettext as _

from ..errors import ValidationFailed


def parse(args, choices, texts, sorts, default_sort):
    """{name: value} for every choice, text and `sort`, or ValidationFailed naming each bad one.
    `choices`: name -> allowed values; `texts`: name -> longest kept; `sorts`: sort keys."""
    errors, values = {}, {}
    for name, allowed in choices.items():
        value = (args.get(name) or "").strip()
        if value and value not in allowed:
            errors[name] = [_("Choose from: %(values)s.", values=", ".join(allowed))]
        values[name] = value
    for name, limit in texts.items():
        values[name] = (args.get(name) or "").strip()[:limit]
    values["sort"] = (args.get("sort") or default_sort).strip()
    if values["sort"].lstrip("-") not in sorts:
        errors["sort"] = [_("Choose from: %(values)s.", values=", ".join(sorts))]
    if errors:
        raise ValidationFailed(_("Some filters are not valid: %(names)s.", names=", ".join(sorted(errors))), errors)
    return values
