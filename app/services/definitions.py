"""The repository service: deploying diagrams as immutable, versioned definitions.

A deploy of changed content (diagram bytes plus the forms it references)
creates version N+1 of its key; identical content returns the existing
version. Compiled definitions are parsed once per version and shared.
"""
import hashlib
import json
import re
import threading
from collections import namedtuple
from pathlib import Path

from flask import current_app
from lxml import etree
from sqlalchemy import bindparam, func, select

from ..engine.compiler import compile_definition
from ..engine.errors import DiagramError
from ..engine.xml_safety import parse_xml
from ..extensions import db
from ..models import ProcessDefinition
from . import audit, statements, timers
from .errors import Forbidden, NotFound, ValidationFailed
from .forms import load_forms
from .handlers import HANDLERS
from .permissions import is_admin
from .transaction import command

_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", re.I)
_cache_lock = threading.Lock()


def _cache():
    """definition id -> (content hash, compiled, pinned forms), one per app (so per database:
    ids are immutable within a database, not across the apps a test run creates)."""
    return current_app.extensions.setdefault("chainq.compiled_definitions", {})


def content_hash(xml_bytes, forms):
    digest = hashlib.sha256(xml_bytes)
    digest.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def compiled(definition):
    """The runnable form of a stored definition, parsed once per version."""
    with _cache_lock:
        hit = _cache().get(definition.id)
        if hit is not None and hit[0] == definition.content_hash:
            return hit[1]
    result = compile_definition(definition.bpmn_xml.encode("utf-8"), definition.filename,
                                forms=definition.forms, services=HANDLERS)
    with _cache_lock:
        _cache()[definition.id] = (definition.content_hash, result, definition.forms)
    return result


def compiled_by_id(definition_id):
    """The runnable form of a definition by id; the row is read only on a cache miss
    (definitions are immutable, so an id always means the same content)."""
    with _cache_lock:
        hit = _cache().get(definition_id)
    if hit is not None:
        return hit[1]
    return compiled(get(definition_id))


def forms_by_id(definition_id):
    """The forms pinned to a definition version (form key -> JSON Schema), from the same cache."""
    with _cache_lock:
        hit = _cache().get(definition_id)
    if hit is None:
        compiled_by_id(definition_id)
        with _cache_lock:
            hit = _cache()[definition_id]
    return hit[2]


def _deploy(xml_bytes, filename, available_forms, actor):
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
    timers.schedule_start_timers(definition, result)
    audit.record("definition_deployed", actor=actor, data={
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
        raise Forbidden("only administrators may deploy process definitions")
    available = forms if forms is not None else load_forms(current_app.config["FORMS_FOLDER"])
    with command():
        definition, created = _deploy(xml_bytes, filename, available, actor)
    return definition, created


def deploy_folder(actor=None, bpmn_folder=None, forms_folder=None):
    """Deploy every diagram in bpmn/ with the forms in forms/ (start-up and CLI)."""
    bpmn_folder = bpmn_folder or current_app.config["BPMN_FOLDER"]
    forms = load_forms(forms_folder or current_app.config["FORMS_FOLDER"])
    results = []
    with command():
        for path in sorted(Path(bpmn_folder).glob("*.bpmn")):
            definition, created = _deploy(path.read_bytes(), path.name, forms, actor)
            results.append((definition.key, definition.version, created))
        timers.ensure_start_schedules()
    return results


Version = namedtuple("Version", "id key version")
_LATEST_VERSION = select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.version) \
    .where(ProcessDefinition.key == bindparam("key")).order_by(ProcessDefinition.version.desc()).limit(1)


def latest_version(key):
    """(id, key, version) of a process's newest version, without reading its diagram and forms
    (starting a case needs only these; the compiled form comes from the cache)."""
    found = statements.first_row(db.session, _LATEST_VERSION, {"key": key})
    if found is None:
        raise NotFound(f"no process definition with key '{key}'")
    return Version(*found)


def latest(key):
    definition = db.session.execute(
        select(ProcessDefinition).where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc()).limit(1)).scalar_one_or_none()
    if definition is None:
        raise NotFound(f"no process definition with key '{key}'")
    return definition


def get(definition_id):
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFound(f"process definition {definition_id} does not exist")
    return definition


def list_latest():
    """The newest version of every key."""
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v")) \
        .group_by(ProcessDefinition.key).subquery()
    return db.session.execute(select(ProcessDefinition).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.v))
        .order_by(ProcessDefinition.key)).scalars().all()


def list_all():
    return db.session.execute(select(ProcessDefinition).order_by(
        ProcessDefinition.key, ProcessDefinition.version.desc())).scalars().all()
