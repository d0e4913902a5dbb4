"""The process modeler's commands (administrators, /admin/processes/<key>/edit).

`check` runs a diagram through everything a deploy checks and returns every problem with
its element and line, in the reader's language, so the page can pin each on its element.
`deploy_edited` deploys it as version N+1 of the key with the administrator's change note
and removes their draft of it, in one command. The forms a diagram may name are those on
disk overlaid with the forms pinned by the key's newest version (a form changed in the
browser since lives only there); rules are the newest deployed DMN files, as for any deploy.
`new_process` drafts a new key from the blank approval template or a copy of a process.
"""
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ...engine.compiler import compile_definition
from ...engine.copying import copy_as
from ...engine.errors import DiagramError
from ..command import command
from ..errors import Forbidden, NotFound, ValidationFailed
from ..identity.permissions import is_admin
from . import definitions, deploy, drafts
from .forms import load_forms
from .handlers import HANDLERS

CHANGE_NOTE_LIMIT = 2000


def require_admin(actor):
    if not is_admin(actor):
        raise Forbidden(_("Only administrators may edit process definitions."))


def newest_or_none(key):
    try:
        return definitions.latest(key)
    except NotFound:
        return None


def forms_for(key):
    """Form key -> schema a new version of `key` may pin: forms/ overlaid with its newest version's."""
    forms = load_forms(current_app.config["FORMS_FOLDER"])
    newest = newest_or_none(key)
    return dict(forms, **newest.forms) if newest is not None else forms


def _problem(error):
    return {"element": error.element_id, "line": error.line, "message": error.problem.render(_)}


def problems_of(key, xml_text):
    """Every problem a deploy of this diagram as `key` would refuse it for ([] when none)."""
    try:
        compiled = compile_definition(xml_text.encode("utf-8"), f"{key}.bpmn", forms=forms_for(key),
                                      services=HANDLERS, decisions=deploy.available_decisions())
    except DiagramError as first:
        return [_problem(error) for error in (first, *first.more)]
    if compiled.key != key:
        return [{"element": compiled.key, "line": None,
                 "message": _("The process id must stay '%(key)s': a different id would be another process.",
                              key=key)}]
    return []


def check(actor, key, xml_text):
    """The modeler's check on save (administrators): the deploy's problems, each with element and line."""
    require_admin(actor)
    return problems_of(key, xml_text)


def deploy_edited(actor, key, xml_text, change_note):
    """Deploy the edited diagram as version N+1 of `key` with a required change note, and remove the
    administrator's draft of it. Returns (definition, created): identical content is no new version."""
    require_admin(actor)
    note = (change_note or "").strip()
    if not note:
        raise ValidationFailed(_("Write a change note: what changed, and why."),
                               {"change_note": [_("This field is required.")]})
    if len(note) > CHANGE_NOTE_LIMIT:
        raise ValidationFailed(_("The change note is too long (at most %(n)d characters).", n=CHANGE_NOTE_LIMIT),
                               {"change_note": [_("Too long.")]})
    problems = problems_of(key, xml_text)
    if problems:
        raise ValidationFailed(_("The diagram has %(n)d problem(s); fix them before deploying.", n=len(problems)),
                               {"bpmn": [p["message"] for p in problems]})
    newest = newest_or_none(key)
    filename = newest.filename if newest is not None else f"{key}.bpmn"
    forms = forms_for(key)
    with command(actor) as ctx:
        definition, created = deploy.deploy_in(ctx, xml_text.encode("utf-8"), filename, forms, actor,
                                               change_note=note)
        drafts.remove(ctx, actor, key)
    deploy.deliver_pending(actor, [definitions.compiled(definition)] if created else [])
    return definition, created


BLANK_APPROVAL = Path(__file__).with_name("blank_approval.bpmn")


def new_process(actor, key, name, source_key=""):
    """A new process key, drafted from the blank approval template or a copy of an existing process's
    newest version; the copy must pass the deploy checks under its new key. Returns the draft."""
    require_admin(actor)
    drafts.check_key(key)
    if newest_or_none(key) is not None:
        raise ValidationFailed(_("A process with the key '%(key)s' already exists.", key=key),
                               {"key": [_("Choose another key.")]})
    if drafts.get(actor, key) is not None:
        raise ValidationFailed(_("You already have a draft of '%(key)s': open it in the modeler.", key=key),
                               {"key": [_("Choose another key.")]})
    source = definitions.latest(source_key).bpmn_xml if source_key else BLANK_APPROVAL.read_text(encoding="utf-8")
    xml_text = copy_as(source, key, (name or "").strip()[:200])
    problems = problems_of(key, xml_text)
    if problems:
        raise ValidationFailed(_("The copy cannot be deployed as '%(key)s': %(problem)s", key=key,
                                 problem=problems[0]["message"]), {"key": [p["message"] for p in problems]})
    return drafts.save(actor, key, xml_text)
