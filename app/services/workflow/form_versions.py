"""Forms edited in the browser (administrators): which forms there are, who pins them, a preview,
and deploying a changed form.

A form is versioned with the diagrams that reference it: deploying a form deploys, in one command,
version N+1 of every process whose newest version pins that form key, with the new schema pinned
(as a changed DMN file redeploys the processes that evaluate it, deploy._deploy_decision). The
other forms each process pins are kept as they are (`dict(disk forms, **process.forms)`), so forms
edited in the browser earlier survive. Running cases keep the version, and the forms, they began
with. The change note is kept in the `form_deployed` audit event.
"""
import hashlib
import json
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _

from ...extensions import db
from ..audit import trail as audit
from ..command import command
from ..errors import Forbidden, NotFound, ValidationFailed
from ..identity.permissions import is_admin
from . import definitions, deploy
from .form_checks import read_schema, required_added
from .forms import field_options, load_forms
from .pages import without_fields

NOTE_LENGTH = 500


@dataclass
class PinnedBy:
    key: str
    name: str
    version: int
    newest: bool


@dataclass
class FormEntry:
    key: str
    schema: dict                     # as deployed with the newest process versions, else as on disk
    on_disk: bool
    pinned_by: list = field(default_factory=list)      # PinnedBy, every version that pins it

    @property
    def in_use(self):
        """Whether a process's newest version pins the form (only then can it be deployed)."""
        return any(p.newest for p in self.pinned_by)

    @property
    def steps(self):
        """Every step of a newest version that shows this form (the preview can show it as any of them)."""
        found = []
        for pin in self.pinned_by:
            if pin.newest:
                compiled = definitions.compiled(definitions.latest(pin.key))
                found.extend(StepUse(pin.key, step.element_id, step.name, step.opinion_required,
                                     tuple(sorted(step.readonly_fields)), step.hidden_fields)
                             for step in compiled.steps.values() if step.form_key == self.key)
        return found

    @property
    def text(self):
        return json.dumps(self.schema, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class StepUse:
    """A step of a process's newest version that shows the form, and its own settings for it."""
    process: str
    element_id: str
    name: str
    opinion_required: bool
    readonly: tuple
    hidden: frozenset

    @property
    def value(self):
        return f"{self.process}:{self.element_id}"


@dataclass
class FormPreview:
    check: "FormCheck"
    schema: dict | None              # as the chosen step shows it (without its hidden fields)
    options: dict                    # the choices of fields whose options depend on the user
    step: StepUse | None


@dataclass
class FormCheck:
    schema: dict | None
    problems: list                   # form_checks.SchemaProblem
    required_added: list             # field names the new schema requires and the current one did not


def _admin_only(actor):
    if not is_admin(actor):
        raise Forbidden(_("Only administrators may edit forms."))


def _disk_forms():
    return load_forms(current_app.config["FORMS_FOLDER"])


def _entries():
    """form key -> FormEntry, from every deployed version and forms/."""
    disk = _disk_forms()
    newest = {d.key: d.version for d in definitions.list_latest()}
    entries, current = {}, {}
    for definition in definitions.list_all():           # by key, newest version first
        is_newest = newest.get(definition.key) == definition.version
        for form_key, schema in (definition.forms or {}).items():
            entry = entries.setdefault(form_key, FormEntry(form_key, schema, form_key in disk))
            entry.pinned_by.append(PinnedBy(definition.key, definition.name, definition.version, is_newest))
            if is_newest and (form_key not in current or definition.deployed_at > current[form_key]):
                entry.schema, current[form_key] = schema, definition.deployed_at
    for form_key, schema in disk.items():
        entries.setdefault(form_key, FormEntry(form_key, schema, True))
    for entry in entries.values():
        if not entry.in_use:                 # only older versions pin it: what is on disk is current
            entry.schema = disk.get(entry.key, entry.schema)
    return entries


def form_catalogue(actor):
    """Every form a process's newest version pins, and every form in forms/, by key."""
    _admin_only(actor)
    entries = _entries()
    return [entries[key] for key in sorted(entries) if entries[key].in_use or entries[key].on_disk]


def form_for_editing(actor, key):
    _admin_only(actor)
    entry = _entries().get(key)
    if entry is None:
        raise NotFound(_("There is no form '%(key)s'.", key=key))
    return entry


def check_form(actor, key, text):
    """The problems of a schema text, and the fields it newly requires (a warning, not a refusal)."""
    _admin_only(actor)
    schema, problems = read_schema(text)
    current = _entries().get(key)
    added = required_added(current.schema, schema) if current is not None and schema is not None and not problems \
        else []
    return FormCheck(schema, problems, added)


def preview_form(actor, key, text, step=""):
    """What the preview shows: the problems of the text, or the form as the task page of `step`
    ("process:element", one of the entry's steps; else the form alone) renders it, with the choices
    the previewing administrator would have where they depend on the user."""
    checked = check_form(actor, key, text)
    if checked.problems:
        return FormPreview(checked, None, {}, None)
    entry = _entries().get(key)
    use = next((s for s in entry.steps if s.value == step), None) if entry is not None and step else None
    schema = without_fields(checked.schema, use.hidden) if use is not None else checked.schema
    return FormPreview(checked, schema, field_options(schema, db.session, actor), use)


def deploy_form(actor, key, text, note):
    """Deploy a changed form with every process whose newest version pins it (see the module
    docstring). Returns [(process key, new version)]; [] when nothing changed."""
    _admin_only(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Write a change note."), {"note": [_("Write a change note.")]})
    if len(note) > NOTE_LENGTH:
        raise ValidationFailed(_("The change note is too long."),
                               {"note": [_("Enter at most %(n)d characters.", n=NOTE_LENGTH)]})
    schema, problems = read_schema(text)
    if problems:
        raise ValidationFailed(_("The form schema is refused: %(problem)s", problem=problems[0].describe()),
                               {"schema": [p.describe() for p in problems]})
    disk = _disk_forms()
    with command(actor) as ctx:
        users = [p for p in definitions.list_latest() if key in (p.forms or {})]
        if not users:
            raise ValidationFailed(_("No process uses the form '%(key)s': a form is deployed with the diagram "
                                     "that references it.", key=key))
        before = users[0].forms[key]
        redeployed = []
        for process in users:
            definition, created = deploy.redeploy(ctx, process, {**disk, **process.forms, key: schema}, actor)
            if created:
                redeployed.append((definition.key, definition.version))
        if redeployed:
            audit.record(ctx, "form_deployed", actor=actor, data={
                "key": key, "note": note, "processes": [list(p) for p in redeployed],
                "content_hash": hashlib.sha256(json.dumps(schema, sort_keys=True, ensure_ascii=False)
                                               .encode("utf-8")).hexdigest(),
                "required_added": required_added(before, schema)})
    return redeployed
