"""Deploying diagrams as immutable, versioned definitions (administrators, start-up, CLI).

A deploy of changed content (diagram bytes plus the forms it references)
creates version N+1 of its key; identical content returns the existing
version. The deploy command also schedules the new version's timer start
events, in the same transaction.
"""
import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import func, select

from ...engine.compiler import compile_definition
from ...engine.errors import DiagramError
from ...engine.xml_safety import parse_xml
from ...extensions import db
from ...models import ProcessDefinition
from ..audit import trail as audit
from ..command import command
from ..errors import Forbidden, ValidationFailed
from ..identity.permissions import is_admin
from . import timer_jobs
from .definitions import content_hash
from .forms import load_forms
from .handlers import HANDLERS

_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", re.I)


def _deploy(ctx, xml_bytes, filename, available_forms, actor):
    try:
        result = compile_definition(xml_bytes, filename, forms=available_forms, services=HANDLERS)
    except DiagramError as exc:
        raise ValidationFailed(exc.describe(), {"bpmn": [exc.describe()]}) from None
    pinned = {step.form_key: available_forms[step.form_key]
              for step in result.steps.values() if step.form_key}
    digest = content_hash(xml_bytes, pinned)
    existing = db.session.execute(select(ProcessDefinition).where(
        ProcessDefinition.key == result.key, ProcessDefinition.content_hash == digest)).scalar_one_or_none()
    if existing is not None:
        return existing, False
    latest = db.session.execute(select(func.max(ProcessDefinition.version))
                                .where(ProcessDefinition.key == result.key)).scalar() or 0
    definition = ProcessDefinition(
        key=result.key, version=latest + 1, name=result.name, content_hash=digest,
        bpmn_xml=_as_text(xml_bytes),
        forms=pinned, filename=filename or f"{result.key}.bpmn",
        deployed_by_id=actor.id if actor is not None else None)
    db.session.add(definition)
    db.session.flush()
    timer_jobs.schedule_start_timers(definition, result)
    audit.record(ctx, "definition_deployed", actor=actor, data={
        "key": definition.key, "version": definition.version, "content_hash": digest,
        "filename": definition.filename, "forms": sorted(pinned),
        "start_timers": [t.element_id for t in result.start_timers]})
    return definition, True


def _as_text(data):
    """Store diagrams as UTF-8 text; a file in another encoding is re-serialized."""
    match = _DECLARED_ENCODING.match(data)
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    if declared in ("utf-8", "utf8"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    root = parse_xml(data)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode")


def deploy(actor, xml_bytes, filename, forms=None):
    """Deploy one diagram (administrators only). Returns (definition, created)."""
    if actor is not None and not is_admin(actor):
        raise Forbidden(_("Only administrators may deploy process definitions."))
    available = forms if forms is not None else load_forms(current_app.config["FORMS_FOLDER"])
    with command(actor) as ctx:
        definition, created = _deploy(ctx, xml_bytes, filename, available, actor)
    return definition, created


def deploy_folder(actor=None, bpmn_folder=None, forms_folder=None):
    """Deploy every diagram in bpmn/ with the forms in forms/ (start-up and CLI)."""
    bpmn_folder = bpmn_folder or current_app.config["BPMN_FOLDER"]
    forms = load_forms(forms_folder or current_app.config["FORMS_FOLDER"])
    results = []
    with command(actor) as ctx:
        for path in sorted(Path(bpmn_folder).glob("*.bpmn")):
            definition, created = _deploy(ctx, path.read_bytes(), path.name, forms, actor)
            results.append((definition.key, definition.version, created))
        timer_jobs.ensure_start_schedules()
    return results
