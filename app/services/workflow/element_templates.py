"""The modeler's texts: element templates (Camunda 7 element-template JSON, modeler/element-templates/),
the modeler's own UI texts (modeler/modeler-texts.json: camunda-bpmn-js's palette, context pad and
properties panel) and the descriptions of bpmnlint's rules (modeler/lint-rules.json).

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


def _folder(folder=None):
    return Path(folder or current_app.config["MODELER_FOLDER"])


def load(folder=None):
    """Every element template (modeler/element-templates/*.json), in file-name order, as written: English."""
    return [json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((_folder(folder) / "element-templates").glob("*.json"))]


def ui_texts(folder=None):
    """The modeler's own texts (English, as camunda-bpmn-js writes them) that the page translates."""
    return json.loads((_folder(folder) / "modeler-texts.json").read_text(encoding="utf-8"))


def lint_rules(folder=None):
    """bpmnlint rule name -> what it asks for (English)."""
    return json.loads((_folder(folder) / "lint-rules.json").read_text(encoding="utf-8"))


UI_CONTEXT = "modeler"      # the catalogue's context for the modeler's own texts ("Description" is not 问题描述)


def page_texts(translate, translate_in_context):
    """What the modeler page needs in the reader's language: its UI texts (gettext's pgettext in the
    context "modeler") and the lint rules (gettext)."""
    return ({text: translate_in_context(UI_CONTEXT, text) for text in ui_texts()},
            {rule: translate(text) for rule, text in lint_rules().items()})


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
