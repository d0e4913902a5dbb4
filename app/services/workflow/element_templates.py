"""Element templates for the modeler (Camunda 7 element-template JSON, modeler/element-templates/).

One template per approval mode (single, or-sign, countersign, sequential, vote) sets a user task's
approvers, decision rules, deadline, form and copies, bound to the attributes and camunda:property
names of docs/approval-steps.md; one per registry lets a service task choose a whitelisted topic.
The files hold the English texts; the modeler gets them in the reader's language, every label,
description and choice name passing through gettext (the zh catalogue has them all: a test reads
the files and the catalogue), so a Chinese reader sees only Chinese.
"""
import copy
import json
from pathlib import Path

from flask import current_app

TRANSLATED = ("name", "description", "label")


def load(folder=None):
    """Every template in the folder, in file-name order (as written: English)."""
    folder = Path(folder or current_app.config["ELEMENT_TEMPLATES_FOLDER"])
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


def texts(templates):
    """Every text a reader sees in the templates (the catalogue must translate each)."""
    found = set()
    for template in templates:
        for item in _items(template):
            found.update(item[key] for key in TRANSLATED if item.get(key))
    return found


def _items(template):
    yield template
    yield from template.get("groups", ())
    for prop in template.get("properties", ()):
        yield prop
        # a choice named by its own value is a code (a service topic), the same in every language
        yield from (choice for choice in prop.get("choices", ()) if choice["name"] != choice["value"])


def translated(templates, translate):
    """The templates with their texts in the reader's language (`translate`: gettext)."""
    result = copy.deepcopy(templates)
    for template in result:
        for item in _items(template):
            for key in TRANSLATED:
                if item.get(key):
                    item[key] = translate(item[key])
    return result
