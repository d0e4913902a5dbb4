"""DMN rules edited in the browser (administrators): the deployed rules files, their problems
located for the editor, and deploying an edited file.

The checks are the deploy's own (engine/dmn/checks.check_document); deploying goes through
deploy.deploy_decision, which also deploys version N+1 of every process whose newest version
evaluates the file. The change note is kept in the `decision_deployed` audit event.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...engine.dmn.checks import check_document
from ...engine.dmn.parser import parse_dmn
from ...engine.errors import DiagramError, Message
from ...extensions import db
from ...models import DecisionDefinition
from ..errors import Forbidden, NotFound
from ..identity.permissions import is_admin
from . import definitions, deploy
from .form_versions import NOTE_LENGTH


@dataclass
class RulesEntry:
    definition: DecisionDefinition          # the newest version
    versions: int
    processes: list = field(default_factory=list)     # (key, name, version): newest versions evaluating it


@dataclass
class RulesDeploy:
    problems: list                       # located problems (see `located`); nothing deployed when any
    version: int | None = None
    created: bool = False
    redeployed: list = field(default_factory=list)   # (process key, new version)


def _admin_only(actor):
    if not is_admin(actor):
        raise Forbidden(_("Only administrators may deploy decision tables."))


def _processes_using(key):
    return [(p.key, p.name, p.version) for p in definitions.list_latest() if key in (p.decisions or {})]


def rules_catalogue(actor):
    """Every deployed rules file (its newest version), with the processes that evaluate it."""
    _admin_only(actor)
    counts = dict(db.session.execute(select(DecisionDefinition.key, func.count())
                                     .group_by(DecisionDefinition.key)).all())
    return [RulesEntry(d, counts[d.key], _processes_using(d.key)) for d in definitions.latest_decision_definitions()]


def rules_for_editing(actor, key):
    _admin_only(actor)
    for entry in rules_catalogue(actor):
        if entry.definition.key == key:
            return entry
    raise NotFound(_("There are no rules '%(key)s'.", key=key))


def located(problem):
    """A refusal as the editor shows it: the decision, rule row and column it names, the element and
    line, and the message in the reader's language."""
    params = problem.problem.params
    inner = params.get("problem")
    inner_params = inner.params if isinstance(inner, Message) else {}
    where = inner_params.get("where")
    return {"decision": params.get("decision"), "rule": where.params.get("row") if isinstance(where, Message) else None,
            "column": inner_params.get("input") or inner_params.get("output"), "element": problem.element_id,
            "line": problem.line, "message": deploy.refusal_text(problem)}


def _problems(key, xml):
    try:
        document = parse_dmn(xml, f"{key}.dmn")
    except DiagramError as exc:
        return [located(exc)]
    if document.id != key:
        return [{"decision": None, "rule": None, "column": None, "element": document.id, "line": None,
                 "message": _("The rules file's id must stay '%(key)s' (it is '%(id)s').", key=key, id=document.id)}]
    return [located(p) for p in check_document(document)]


def check_rules(actor, key, xml):
    """The deploy checks' problems of an edited rules file, located (see `located`)."""
    _admin_only(actor)
    return _problems(key, xml)


def deploy_rules(actor, key, xml, note):
    """Deploy an edited rules file with a change note (and the processes that evaluate it).
    A refused file comes back with its problems and deploys nothing."""
    entry = rules_for_editing(actor, key)
    note = (note or "").strip()
    if not note:
        return RulesDeploy([_note_problem(_("Write a change note."))])
    if len(note) > NOTE_LENGTH:
        return RulesDeploy([_note_problem(_("Enter at most %(n)d characters.", n=NOTE_LENGTH))])
    problems = _problems(key, xml)
    if problems:
        return RulesDeploy(problems)
    decision, created, redeployed = deploy.deploy_decision(actor, xml.encode("utf-8"), entry.definition.filename,
                                                           note=note)
    return RulesDeploy([], decision.version, created, redeployed)


def _note_problem(message):
    return {"decision": None, "rule": None, "column": None, "element": "note", "line": None, "message": message}
