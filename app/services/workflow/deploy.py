"""Deploying diagrams and DMN rules as immutable, versioned definitions (administrators, start-up, CLI).

A deploy of changed content (diagram bytes plus the forms and the DMN documents
it references) creates version N+1 of its key; content identical to the newest
version returns that version. Content identical to an earlier version is a new
version too when an administrator deploys it (a deliberate revert), but not when
the folders are synchronised from disk at start-up, `flask deploy` or `seed-demo`
(`from_disk`): a file on disk that an administrator has since replaced in the
browser must not come back on every restart. The deploy command also schedules
the new version's timer start events, in the same transaction.

A DMN file (rules/) is versioned the same way. A diagram pins the newest
version of each DMN document its business-rule tasks evaluate; deploying a
changed DMN file therefore also deploys, in the same command, version N+1 of
every process whose newest version evaluates it. New cases get the new rules;
running cases keep the version, and the rules, they began with.

A refused file is a ValidationFailed in the reader's language: the engine's DiagramError
carries a message template and its parameters (app/engine/errors.py), rendered here with
gettext (`refusal_text`); the English text is logged.
"""
import hashlib
import logging
import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import func, select

from ...engine.compiler import compile_definition
from ...engine.dmn.checks import check_document, decisions_by_id
from ...engine.dmn.parser import parse_dmn
from ...engine.errors import DiagramError
from ...engine.xml_safety import parse_xml
from ...extensions import db
from ...models import DecisionDefinition, ProcessDefinition
from ..audit import trail as audit
from ..command import command
from ..errors import Conflict, Forbidden, ValidationFailed
from ..filenames import shorten
from ..identity.permissions import is_admin
from . import definitions, messages, timer_jobs
from .definitions import content_hash, decision_documents, latest_decision_definitions, list_latest
from .forms import load_forms
from .handlers import HANDLERS
from .message_checks import message_warnings

log = logging.getLogger(__name__)

_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", re.I)


def available_decisions():
    """decision id -> document, from the newest version of every deployed DMN file."""
    return decision_documents({d.key: d.dmn_xml for d in latest_decision_definitions()})


def _unchanged(model, key, digest, from_disk):
    """The version that already has this content: the newest one only, or any one for a file
    synchronised from disk; None when the content is to be deployed as a new version."""
    if from_disk:
        return db.session.execute(select(model).where(model.key == key, model.content_hash == digest)
                                  .order_by(model.version.desc()).limit(1)).scalar_one_or_none()
    newest = db.session.execute(select(model).where(model.key == key)
                                .order_by(model.version.desc()).limit(1)).scalar_one_or_none()
    return newest if newest is not None and newest.content_hash == digest else None


def _deploy(ctx, xml_bytes, filename, available_forms, actor, decisions=None, change_note=None, from_disk=False):
    if decisions is None:
        decisions = available_decisions()
    try:
        result = compile_definition(xml_bytes, filename, forms=available_forms, services=HANDLERS,
                                    decisions=decisions)
    except DiagramError as exc:
        log.info("diagram refused: %s%s", exc.describe(), f" ({exc.detail})" if exc.detail else "")
        raise ValidationFailed(refusal_text(exc), {"bpmn": [refusal_text(exc)]}) from None
    pinned = {step.form_key: available_forms[step.form_key]
              for step in result.steps.values() if step.form_key}
    rules = {document.id: document.source for document in
             (result.decisions[decision_id] for decision_id in result.decision_ids)} or None
    digest = content_hash(xml_bytes, pinned, rules)
    existing = _unchanged(ProcessDefinition, result.key, digest, from_disk)
    if existing is not None:
        return existing, False
    latest = db.session.execute(select(func.max(ProcessDefinition.version))
                                .where(ProcessDefinition.key == result.key)).scalar() or 0
    definition = ProcessDefinition(
        key=result.key, version=latest + 1, name=result.name, content_hash=digest,
        bpmn_xml=_as_text(xml_bytes),
        forms=pinned, decisions=rules, filename=filename or f"{result.key}.bpmn",
        deployed_by_id=actor.id if actor is not None else None, change_note=change_note)
    db.session.add(definition)
    db.session.flush()
    timer_jobs.schedule_start_timers(definition, result)
    warnings = message_warnings(result)
    audit.record(ctx, "definition_deployed", actor=actor, data={
        "key": definition.key, "version": definition.version, "content_hash": digest,
        "filename": definition.filename, "forms": sorted(pinned), "decisions": list(result.decision_ids),
        "start_timers": [t.element_id for t in result.start_timers],
        **({"change_note": change_note} if change_note else {}),
        **({"warnings": warnings} if warnings else {})})
    return definition, True


def deploy_in(ctx, xml_bytes, filename, forms, actor, change_note=None):
    """A deploy inside the caller's command (the modeler's also removes the draft in it); administrators
    only, checked by the caller. Returns (definition, created)."""
    return _deploy(ctx, xml_bytes, filename, forms, actor, change_note=change_note)


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
    definition, created, _warnings = deploy_with_warnings(actor, xml_bytes, filename, forms)
    return definition, created


def deploy_with_warnings(actor, xml_bytes, filename, forms=None):
    """Deploy one diagram (administrators only). Returns (definition, created, warnings): the warnings
    say which messages the diagram waits for that nothing sends (message_checks.py)."""
    if actor is not None and not is_admin(actor):
        raise Forbidden(_("Only administrators may deploy process definitions."))
    filename = shorten(filename, ProcessDefinition.filename.type.length) if filename else filename
    available = forms if forms is not None else load_forms(current_app.config["FORMS_FOLDER"])
    with command(actor) as ctx:
        definition, created = _deploy(ctx, xml_bytes, filename, available, actor)
        compiled = definitions.compiled(definition)
        warnings = message_warnings(compiled)
    deliver_pending(actor, [compiled] if created else [])
    return definition, created, warnings


def warnings_of(key):
    """The message warnings of a process's newest version (what `deploy_with_warnings` returns)."""
    return message_warnings(definitions.compiled(definitions.latest(key)))


def deliver_pending(actor, compiled_definitions):
    """Pending messages the new versions' message start events receive are delivered once the deploy
    has committed, each in its own command (one refused stays listed; the deploy stands)."""
    names = {name for compiled in compiled_definitions for kind, name, _element in compiled.event_starts
             if kind == "message"}
    if names:
        messages.retry_pending(actor, names)


def refusal_text(problem):
    """A refused diagram or DMN file's problem (DiagramError) in the reader's language: file, line,
    element and the message, each template translated by gettext (the zh catalogue has them all)."""
    return problem.describe(_)


def _refused_dmn(problems):
    log.info("rules refused: %s", "; ".join(p.describe() for p in problems))
    first = refusal_text(problems[0])
    message = first if len(problems) == 1 else _("%(first)s (and %(n)d more problems)", first=first,
                                                  n=len(problems) - 1)
    return ValidationFailed(message, {"dmn": [refusal_text(p) for p in problems]})


def _deploy_decision(ctx, data, filename, actor, forms, note=None, from_disk=False):
    """One DMN file as version N+1 of its key (unless unchanged), and the processes that evaluate it
    as their version N+1. Returns (decision definition, created, [(process key, version)]).
    `note`: the administrator's change note, kept in the audit event (the rules editor)."""
    try:
        document = parse_dmn(data, filename)
    except DiagramError as exc:               # not a readable DMN file
        raise _refused_dmn([exc]) from None
    problems = check_document(document)
    if problems:
        raise _refused_dmn(problems)
    others = [d for d in latest_decision_definitions() if d.key != document.id]
    try:
        available = decisions_by_id([*decision_documents({d.key: d.dmn_xml for d in others}).values(), document])
    except DiagramError as exc:           # a decision id already in another file
        raise _refused_dmn([exc]) from None
    digest = hashlib.sha256(document.source.encode("utf-8")).hexdigest()
    existing = _unchanged(DecisionDefinition, document.id, digest, from_disk)
    if existing is not None:
        return existing, False, []
    latest = db.session.execute(select(func.max(DecisionDefinition.version))
                                .where(DecisionDefinition.key == document.id)).scalar() or 0
    decision = DecisionDefinition(
        key=document.id, version=latest + 1, name=document.name or document.id, content_hash=digest,
        dmn_xml=document.source, decision_ids=sorted(document.decisions), filename=filename or f"{document.id}.dmn",
        deployed_by_id=actor.id if actor is not None else None)
    db.session.add(decision)
    audit.record(ctx, "decision_deployed", actor=actor, data={
        "key": decision.key, "version": decision.version, "content_hash": digest,
        "filename": decision.filename, "decisions": decision.decision_ids, **({"note": note} if note else {})})
    redeployed = []
    for process in list_latest():
        if document.id in (process.decisions or {}):
            definition, created = redeploy(ctx, process, dict(forms, **process.forms), actor, available)
            if created:
                redeployed.append((definition.key, definition.version))
    return decision, True, redeployed


def deploy_decision(actor, data, filename, note=None):
    """Deploy one DMN file (administrators only); see the module docstring.
    Returns (decision definition, created, [(process key, new version)])."""
    if actor is not None and not is_admin(actor):
        raise Forbidden(_("Only administrators may deploy decision tables."))
    filename = shorten(filename, DecisionDefinition.filename.type.length) if filename else filename
    forms = load_forms(current_app.config["FORMS_FOLDER"])
    with command(actor) as ctx:
        return _deploy_decision(ctx, data, filename, actor, forms, note)


def redeploy(ctx, process, forms, actor, decisions=None):
    """A deployed process's diagram again, with `forms` (form key -> schema) and the newest rules
    (or `decisions`) available: version N+1 when what it pins changed, else the newest version.
    Inside a command that changed a form or a DMN file the process uses."""
    return _deploy(ctx, process.bpmn_xml.encode("utf-8"), process.filename, forms, actor, decisions)


def deploy_folder(actor=None, bpmn_folder=None, forms_folder=None, rules_folder=None):
    """Deploy the folders as `deploy_folder_skipping` does, for callers that need every file
    (the tests' seed, the benches, the screenshots): a refused file is a ValidationFailed naming each
    refused file, after the others are deployed. Returns the results."""
    results, refused = deploy_folder_skipping(actor, bpmn_folder, forms_folder, rules_folder)
    if refused:
        name, message = refused[0]
        raise ValidationFailed(_("%(file)s was not deployed: %(reason)s", file=name, reason=message),
                               {name: [message] for name, message in refused})
    return results


def deploy_folder_skipping(actor=None, bpmn_folder=None, forms_folder=None, rules_folder=None):
    """Deploy every DMN file in rules/, then every diagram in bpmn/ with the forms in forms/, each
    file in a command of its own (content any version already had is skipped: `from_disk`). A refused
    file is left out instead of refusing the rest: one bad file in bpmn/ must not stop the app (and
    every `flask` command, which builds the app) when the versions already deployed can serve.

    Returns (results, refused): results a list of (key, version, created), rules as `rules/<key>`;
    refused a list of (file name, the refusal in the reader's language). Each refusal is logged as a
    warning (in English)."""
    bpmn_folder, rules_folder, forms = _folders(bpmn_folder, forms_folder, rules_folder)
    results, refused, new = [], [], []

    def rules_file(path):
        with command(actor) as ctx:
            decision, created, _redeployed = _deploy_decision(ctx, path.read_bytes(), path.name, actor, forms,
                                                              from_disk=True)
        results.append((f"rules/{decision.key}", decision.version, created))

    def diagram_file(path):
        with command(actor) as ctx:
            definition, created = _deploy(ctx, path.read_bytes(), path.name, forms, actor, from_disk=True)
            compiled = definitions.compiled(definition) if created else None
        results.append((definition.key, definition.version, created))
        if compiled is not None:
            new.append(compiled)

    files = [(f"rules/{path.name}", rules_file, path) for path in sorted(Path(rules_folder).glob("*.dmn"))]
    files += [(path.name, diagram_file, path) for path in sorted(Path(bpmn_folder).glob("*.bpmn"))]
    for name, deploy_file, path in files:
        try:
            try:
                deploy_file(path)
            except Conflict:      # another host starting at the same moment deployed it first: now it is known
                deploy_file(path)
        except ValidationFailed as exc:
            refused.append(_skipped(name, exc))
    with command(actor):
        timer_jobs.ensure_start_schedules()
    deliver_pending(actor, new)
    return results, refused


def _skipped(name, exc):
    log.warning("%s not deployed (the versions already deployed stay in service): %s", name, exc.message)
    return name, exc.message


def _folders(bpmn_folder, forms_folder, rules_folder):
    return (bpmn_folder or current_app.config["BPMN_FOLDER"], rules_folder or current_app.config["RULES_FOLDER"],
            load_forms(forms_folder or current_app.config["FORMS_FOLDER"]))
