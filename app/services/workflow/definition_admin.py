"""The definitions page (/admin/definitions): every process key with its versions, the cases on
each, the bundle of a version, and the switch that stops new cases of a key.

Administrators manage; auditors read (the page, a version's diagram and its bundle) without
the switch. A version's bundle is what it was deployed with: the diagram, the pinned forms
(JSON Schema) and the pinned DMN files, zipped. Stopping new cases of a key (a row in
disabled_process_start) refuses every way of starting one (`cases.startable`: the processes
page, a start form, the API); cases already running go on, and timer starts of the key skip.
"""
import io
import json
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...extensions import db
from ...models import DisabledProcessStart, ProcessDefinition, ProcessInstance, User
from ...models.states import InstanceStatus
from ..audit import trail as audit
from ..command import command
from ..errors import Forbidden, NotFound, ServiceError
from ..identity.permissions import AUDITORS, is_admin
from . import definitions


class StartDisabled(ServiceError):
    """Administrators have stopped new cases of this process."""
    status = 409


@dataclass
class VersionRow:
    definition: ProcessDefinition
    deployed_by: str            # display name, "" for the system (start-up, CLI)
    running: int = 0
    finished: int = 0           # completed or terminated


@dataclass
class ProcessRow:
    key: str
    name: str
    start_disabled: DisabledProcessStart | None
    versions: list[VersionRow] = field(default_factory=list)


def may_read(actor):
    return actor is not None and (is_admin(actor) or AUDITORS in actor.group_keys)


def _require_reader(actor):
    if not may_read(actor):
        raise Forbidden(_("Administrators and auditors only."))


def is_start_disabled(key):
    return db.session.get(DisabledProcessStart, key) is not None


def check_start_enabled(key):
    """Refuse (409) when administrators have stopped new cases of `key`."""
    if is_start_disabled(key):
        raise StartDisabled(_("Starting new cases of this process has been switched off by the administrators."))


def disabled_keys():
    return set(db.session.execute(select(DisabledProcessStart.key)).scalars())


def overview(actor):
    """Every process key (newest version's name) with all its versions, newest first."""
    _require_reader(actor)
    counts = {}
    for definition_id, status, n in db.session.execute(
            select(ProcessInstance.definition_id, ProcessInstance.status, func.count())
            .group_by(ProcessInstance.definition_id, ProcessInstance.status)):
        running, finished = counts.get(definition_id, (0, 0))
        counts[definition_id] = (running + n, finished) if status == InstanceStatus.RUNNING else (running, finished + n)
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    switched_off = {row.key: row for row in db.session.execute(select(DisabledProcessStart)).scalars()}
    rows = {}
    for definition in definitions.list_all():           # by key, newest version first
        row = rows.get(definition.key)
        if row is None:
            row = rows[definition.key] = ProcessRow(definition.key, definition.name, switched_off.get(definition.key))
        running, finished = counts.get(definition.id, (0, 0))
        row.versions.append(VersionRow(definition, names.get(definition.deployed_by_id, ""), running, finished))
    return list(rows.values())


def version(actor, definition_id):
    """One version, for its diagram page and its bundle (administrators and auditors)."""
    _require_reader(actor)
    return definitions.get(definition_id)


def bundle(actor, definition_id):
    """(file name, zip bytes) of a version: its BPMN, its pinned forms and its pinned DMN files."""
    definition = version(actor, definition_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"bpmn/{definition.filename}", definition.bpmn_xml)
        for form_key, schema in sorted((definition.forms or {}).items()):
            archive.writestr(f"forms/{form_key}.json", json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
        for document_id, source in sorted((definition.decisions or {}).items()):
            archive.writestr(f"rules/{document_id}.dmn", source)
    return f"{definition.key}-v{definition.version}.zip", buffer.getvalue()


def set_start_enabled(actor, key, enabled):
    """Allow or stop new cases of a process key (administrators); audited when it changes.
    Returns True when the setting changed."""
    if not is_admin(actor):
        raise Forbidden(_("Only administrators may switch the start of a process."))
    definitions.latest_version(key)             # NotFound for an unknown key
    with command(actor) as ctx:
        row = ctx.session.get(DisabledProcessStart, key)
        if enabled == (row is None):
            return False
        if enabled:
            ctx.session.delete(row)
        else:
            ctx.session.add(DisabledProcessStart(key=key, disabled_at=ctx.now, disabled_by_id=actor.id))
        audit.record(ctx, "process_start_enabled" if enabled else "process_start_disabled", actor=actor,
                     data={"key": key})
    return True


def latest_diagram(actor, key):
    """The newest version of `key` (the modeler's base and the diff's left side)."""
    _require_reader(actor)
    try:
        return definitions.latest(key)
    except NotFound:
        return None
