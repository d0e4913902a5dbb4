"""The repository: deployed definitions, immutable and versioned, and their compiled forms.

Compiled definitions are parsed once per version and shared (deploying is
app/services/workflow/deploy.py). A version carries the forms and the DMN
documents it was deployed with, so its cases keep them whatever is deployed later.
"""
import hashlib
import json
import threading
from collections import namedtuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ...engine.compiler import compile_definition
from ...engine.dmn.checks import decisions_by_id, load_dmn
from ...engine.labels import english_diagram
from ...extensions import db
from ...models import DecisionDefinition, ProcessDefinition
from ..errors import NotFound
from ..notify.notifications import Name
from .handlers import HANDLERS

_cache_lock = threading.Lock()


def _cache():
    """definition id -> (content hash, compiled, pinned forms), one per app (so per database:
    ids are immutable within a database, not across the apps a test run creates)."""
    return current_app.extensions.setdefault("chainq.compiled_definitions", {})


def content_hash(xml_bytes, forms, decisions=None):
    """The identity of a version: diagram, pinned forms and pinned DMN sources."""
    digest = hashlib.sha256(xml_bytes)
    digest.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    if decisions:       # a diagram without business-rule tasks keeps the hash it had before DMN existed
        digest.update(json.dumps(decisions, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def decision_documents(sources):
    """DMN document id -> source (as pinned on a version) -> decision id -> parsed document."""
    return decisions_by_id(load_dmn(text, f"{key}.dmn") for key, text in sorted((sources or {}).items()))


def compiled(definition):
    """The runnable form of a stored definition, parsed once per version."""
    with _cache_lock:
        hit = _cache().get(definition.id)
        if hit is not None and hit[0] == definition.content_hash:
            return hit[1]
    result = compile_definition(definition.bpmn_xml.encode("utf-8"), definition.filename,
                                forms=definition.forms, services=HANDLERS,
                                decisions=decision_documents(definition.decisions))
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


def diagram_xml(definition, english=False):
    """The diagram XML the viewer (bpmn-js) shows: as deployed (its names are the Chinese ones), or,
    for a reader of the English UI, with each element's name replaced by its `nameEn`
    (app/engine/labels.py, through the hardened parser); made once per version."""
    if not english:
        return definition.bpmn_xml
    cache = current_app.extensions.setdefault("chainq.english_diagrams", {})
    with _cache_lock:
        hit = cache.get(definition.id)
    if hit is not None and hit[0] == definition.content_hash:
        return hit[1]
    text = english_diagram(definition.bpmn_xml)
    with _cache_lock:
        cache[definition.id] = (definition.content_hash, text)
    return text


Version = namedtuple("Version", "id key version")


def latest_version(key):
    """(id, key, version) of a process's newest version, without reading its diagram and forms
    (starting a case needs only these; the compiled form comes from the cache)."""
    found = db.session.execute(
        select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.version)
        .where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc()).limit(1)).first()
    if found is None:
        raise NotFound(_("No process definition with key '%(key)s'.", key=key))
    return Version(*found)


def english_names(key):
    """(process name, {element id: name}) in English for a process's newest version, where its
    diagram gives them (`nameEn`); ("", {}) for an unknown key. The BPMN names are the Chinese ones."""
    try:
        version = latest_version(key)
    except NotFound:
        return "", {}
    found = compiled_by_id(version.id)
    return found.settings.name_en, found.element_names_en


def step_label(task):
    """A task's step name in both languages (its BPMN name and nameEn, from the case's own version),
    for a notification that each reader sees in their language."""
    english = compiled_by_id(task.instance.definition_id).element_names_en.get(task.element_id)
    return Name(task.name, english)


def latest(key):
    definition = db.session.execute(
        select(ProcessDefinition).where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc()).limit(1)).scalar_one_or_none()
    if definition is None:
        raise NotFound(_("No process definition with key '%(key)s'.", key=key))
    return definition


def get(definition_id):
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFound(_("Process definition %(id)s does not exist.", id=definition_id))
    return definition


def version_of(key, version):
    """The definition of a process at a version number, or None."""
    return db.session.execute(select(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessDefinition.version == version)).scalar_one_or_none()


def list_latest():
    """The newest version of every key."""
    return db.session.execute(_newest_of_each(ProcessDefinition)).scalars().all()


def list_all():
    return db.session.execute(select(ProcessDefinition).order_by(
        ProcessDefinition.key, ProcessDefinition.version.desc())).scalars().all()


def _newest_of_each(model):
    newest = select(model.key, func.max(model.version).label("v")).group_by(model.key).subquery()
    return select(model).join(newest, (model.key == newest.c.key) & (model.version == newest.c.v)) \
        .order_by(model.key)


def latest_decision_definitions():
    """The newest version of every deployed DMN file."""
    return db.session.execute(_newest_of_each(DecisionDefinition)).scalars().all()


def list_decision_definitions(all_versions=False):
    if not all_versions:
        return latest_decision_definitions()
    return db.session.execute(select(DecisionDefinition).order_by(
        DecisionDefinition.key, DecisionDefinition.version.desc())).scalars().all()
