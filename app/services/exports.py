"""Exports of cases' audit trails: CSV for people, XES and OCEL 2.0 for process mining.

The caller chooses the cases and checks permissions; these functions only read
each case's hash-chained audit trail (`audit.events_of`) and, for OCEL, the
consortium records its cases created. Output is deterministic: the same rows
give the same bytes (no export time is written), so an export can be hashed
and compared later.

CSV (`to_csv`)
    One row per audit event of every case, in chain order, every event type
    included, element id and name as the audit row has them (empty for
    instance_started and service_task_completed, which the trail records
    without an element). Times are ISO 8601 UTC with microseconds and `Z`.
    With `bom=True` (the default) the text starts with a UTF-8 byte order mark
    so Excel opens the Chinese text correctly; rows end with CRLF (RFC 4180). Because Excel
    runs a cell that starts with = + - @ (or a tab or carriage return) as a
    formula, such text cells get a leading apostrophe (`excel_safe=True`, the
    default; OWASP "CSV injection"). Pass `excel_safe=False` for exact text.

XES (`to_xes`, IEEE 1849-2016)
    Validates against xes-ieee-1849-2016.xsd, which has no target namespace, so
    the document has none either; `xes.version` is 1849.2016 (the schema types
    it xs:decimal). Extensions declared: Concept, Time, Organizational,
    Lifecycle (standard transactional model), Identity. One trace per case:
    concept:name = business key, plus case_id, process_key, process_version,
    district, title, outcome. Events, in chain order, one per audit event worth
    mining (the others are left out of XES; CSV and OCEL keep every event):

    ========================  ===========================  ======================
    audit event               concept:name                 lifecycle:transition
    ========================  ===========================  ======================
    instance_started          the BPMN start event's name  complete
    task_created              the step's name              schedule
    task_claimed              the step's name              assign (reassign when
                                                           the task was claimed
                                                           before and released)
    task_completed            the step's name              complete
    task_cancelled            the step's name              withdraw
    service_task_completed    the service task's name      complete
    instance_completed        the end event's name         complete
    task_released, task_draft_saved, steps_completed, others: not exported
    ========================  ===========================  ======================

    A claim is mapped to "assign", not "start": claiming takes the work item
    from the group's inbox, and steps assigned directly (the applicant's own
    form) are never claimed, so "start" would exist for some steps only. Every
    event carries org:resource (the acting user's display name, "system" for
    the engine), time:timestamp (UTC, milliseconds, +00:00, the form every XES
    reader parses), identity:id (a UUID derived from the event's hash), and
    audit_type, audit_seq, audit_hash, element_id, task_id; the claim and the
    completion of a step offered to exactly one group carry that group as
    org:group (the group the resource acted for); completed
    steps carry decision and opinion when given; scheduled steps carry
    candidate_groups, assignee and due_at when set. The service task runs
    inside the command that completes the step before it, so it appears just
    before that step's "complete" event, as in the audit trail.

OCEL 2.0 (`to_ocel`, JSON format)
    Validates against the OCEL 2.0 JSON schema. Object types: case, consortium,
    member_unit, and problem, project, achievement (declared for the problem,
    project and achievement libraries; no objects yet). Objects: every case
    ("case:<business key>"); every consortium a case created ("consortium:<id>",
    found by Consortium.instance_id); every member unit, identified by its
    unified social credit code ("member_unit:<code>"), whether it joined a
    consortium or was only listed on an application. Object relationships:
    case -"created"-> consortium, consortium -"has member"-> member_unit.
    Attribute values are strings (the schema requires it); values that hold for
    the object's whole life carry the epoch (1970-01-01T00:00:00Z) as their
    time, the case's outcome carries the time the case ended, and a member
    unit's name carries each time the unit was first listed under that name
    (so a renamed unit has two values).

    Every audit event of a case becomes one event, id "<chain>#<seq>". Its type
    is the activity, as in OCEL's own examples: "<step name> (created)",
    "(claimed)", "(released)", "(draft saved)", "(completed)", "(cancelled)",
    "<start event name> (case started)", "<end event name> (case ended)",
    "<service task name> (service completed)"; other audit types keep their own
    name. Attribute `audit_type` keeps the audit event type. Event-to-object
    relationships: every event -"case"-> its case; the service_task_completed
    that created a consortium -"created"-> it; the instance_completed of a
    case that created one -"resulted in"-> it; a task_completed whose form lists
    member units (the application step) -"lists member"-> each unit.
"""
import copy
import csv
import io
import json
import re
import uuid
from datetime import datetime, timezone

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Consortium
from . import audit, definitions

XES_VERSION = "1849.2016"
XES_EXTENSIONS = (   # name, prefix, URI (IEEE 1849-2016 standard extensions)
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Identity", "identity", "http://www.xes-standard.org/identity.xesext"),
)
XES_LIFECYCLE = {
    "instance_started": "complete",
    "task_created": "schedule",
    "task_claimed": "assign",
    "task_completed": "complete",
    "task_cancelled": "withdraw",
    "service_task_completed": "complete",
    "instance_completed": "complete",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_IDENTITY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:chainq:audit-event")

CSV_COLUMNS = ("case_id", "business_key", "process_key", "process_version", "district", "seq", "time",
               "actor", "event_type", "element_id", "element_name", "decision", "opinion", "event_hash")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# XML 1.0 forbids most C0 controls, lone surrogates and U+FFFE/U+FFFF; lxml refuses them.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- shared -------------------------------------------------------------

def _utc(moment):
    if moment.tzinfo is None:   # stored naive UTC; the column type normally makes it aware
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def iso_utc(moment):
    """2026-01-31T08:00:00.123456Z"""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _xes_time(moment):
    """2026-01-31T08:00:00.123+00:00 (milliseconds and an offset: the form XES readers commonly expect)."""
    moment = _utc(moment)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


def _text(value):
    return "" if value is None else str(value)


def _process_version(instance):
    # not instance.version: that column is the row's optimistic-lock counter
    return instance.definition.version


class _Labels:
    """Names of a definition's BPMN elements, and which ones are start events and service topics."""

    def __init__(self):
        self._by_definition = {}

    def of(self, definition):
        hit = self._by_definition.get(definition.id)
        if hit is None:
            names, starts, topics = {}, [], {}
            try:
                compiled = definitions.compiled(definition)
            except Exception:   # a definition that no longer compiles still has an exportable trail
                compiled = None
            if compiled is not None:
                names = dict(compiled.element_names)
                for spec in compiled.spec.task_specs.values():
                    bpmn_id = getattr(spec, "bpmn_id", None)
                    if bpmn_id and type(spec).__name__ == "StartEvent":
                        starts.append(bpmn_id)
                    if bpmn_id and getattr(spec, "topic", ""):
                        topics.setdefault(spec.topic, bpmn_id)
            hit = self._by_definition[definition.id] = (names, starts, topics)
        return hit

    def element(self, instance, event):
        """(element id, element name) an event is about, filled in where the audit row has none."""
        names, starts, topics = self.of(instance.definition)
        element_id, element_name = event.element_id or "", event.element_name or ""
        if not element_id and event.type == "instance_started" and len(starts) == 1:
            element_id = starts[0]
        if not element_id and event.type == "service_task_completed":
            topic = _text((event.data or {}).get("topic"))
            element_id = topics.get(topic, topic)
        if not element_name:
            element_name = names.get(element_id, element_id)
        return element_id, element_name


def _decision_opinion(event):
    if event.type != "task_completed":
        return "", ""
    data = event.data or {}
    return _text(data.get("decision")), _text(data.get("opinion"))


def _consortium_id(event):
    if event.type != "service_task_completed":
        return None
    result = (event.data or {}).get("result")
    return result.get("consortium_id") if isinstance(result, dict) else None


def _listed_members(event):
    """(credit code, name) of each member unit a completed form lists."""
    if event.type != "task_completed":
        return []
    form = (event.data or {}).get("form")
    members = form.get("members") if isinstance(form, dict) else None
    listed = []
    for row in members if isinstance(members, list) else []:
        if isinstance(row, dict) and row.get("credit_code"):
            listed.append((str(row["credit_code"]), _text(row.get("name"))))
    return listed


# --- CSV ----------------------------------------------------------------

def _excel_cell(value):
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(instances, bom=True, excel_safe=True):
    """One row per audit event of each case (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for instance in instances:
        version = _process_version(instance)
        for event in audit.events_of(instance.id):
            decision, opinion = _decision_opinion(event)
            texts = [instance.business_key, instance.process_key, _text(instance.district), event.actor_name,
                     event.type, event.element_id, event.element_name, decision, opinion]
            if excel_safe:
                texts = [_excel_cell(_text(t)) for t in texts]
            business_key, process_key, district, actor, kind, element_id, element_name, decision, opinion = texts
            writer.writerow([instance.id, business_key, process_key, version, district, event.seq,
                             iso_utc(event.at), actor, kind, element_id, element_name, decision, opinion,
                             event.hash])
    return ("\ufeff" if bom else "") + out.getvalue()


# --- XES ----------------------------------------------------------------

def _xml_safe(value):
    return _NOT_XML.sub("\ufffd", _text(value))


def _attr(parent, kind, key, value):
    """<string key=".." value=".."/> and its siblings; values go through lxml, never string building."""
    if kind == "date":
        value = _xes_time(value)
    elif kind == "int":
        value = str(int(value))
    else:
        value = _xml_safe(value)
    return etree.SubElement(parent, kind, key=key, value=value)


def _identity(event):
    return str(uuid.uuid5(_IDENTITY_NAMESPACE, event.hash))


def _xes_header(log):
    for name, prefix, uri in XES_EXTENSIONS:
        etree.SubElement(log, "extension", name=name, prefix=prefix, uri=uri)
    trace_globals = etree.SubElement(log, "global", scope="trace")
    _attr(trace_globals, "string", "concept:name", "UNKNOWN")
    _attr(trace_globals, "int", "case_id", 0)
    _attr(trace_globals, "string", "process_key", "")
    _attr(trace_globals, "int", "process_version", 0)
    _attr(trace_globals, "string", "district", "")
    event_globals = etree.SubElement(log, "global", scope="event")
    _attr(event_globals, "string", "concept:name", "UNKNOWN")
    _attr(event_globals, "string", "lifecycle:transition", "complete")
    _attr(event_globals, "string", "org:resource", "UNKNOWN")
    _attr(event_globals, "date", "time:timestamp", _EPOCH)
    _attr(event_globals, "id", "identity:id", "00000000-0000-0000-0000-000000000000")
    _attr(event_globals, "string", "audit_type", "")
    _attr(event_globals, "int", "audit_seq", 0)
    _attr(event_globals, "string", "audit_hash", "")
    # classifier names are xs:NCName (no spaces); every key is a global event attribute above
    etree.SubElement(log, "classifier", name="Activity", scope="event", keys="concept:name")
    etree.SubElement(log, "classifier", name="ActivityTransition", scope="event",
                     keys="concept:name lifecycle:transition")
    etree.SubElement(log, "classifier", name="Resource", scope="event", keys="org:resource")
    _attr(log, "string", "concept:name", "ChainQ audit trail")
    _attr(log, "string", "lifecycle:model", "standard")


def _xes_trace(log, instance, labels):
    trace = etree.SubElement(log, "trace")
    _attr(trace, "string", "concept:name", instance.business_key)
    _attr(trace, "int", "case_id", instance.id)
    _attr(trace, "string", "process_key", instance.process_key)
    _attr(trace, "int", "process_version", _process_version(instance))
    _attr(trace, "string", "district", instance.district)
    _attr(trace, "string", "title", instance.title)
    if instance.outcome:
        _attr(trace, "string", "outcome", instance.outcome)
    groups_of_task, claimed = {}, set()
    for event in audit.events_of(instance.id):
        data = event.data or {}
        if event.type == "task_created" and event.task_id is not None:
            groups_of_task[event.task_id] = [str(g) for g in data.get("candidate_groups") or []]
        transition = XES_LIFECYCLE.get(event.type)
        if transition is None:
            continue
        if event.type == "task_claimed":
            if event.task_id in claimed:
                transition = "reassign"
            claimed.add(event.task_id)
        element_id, element_name = labels.element(instance, event)
        node = etree.SubElement(trace, "event")
        _attr(node, "string", "concept:name", element_name or event.type)
        _attr(node, "string", "lifecycle:transition", transition)
        _attr(node, "string", "org:resource", event.actor_name or "system")
        groups = groups_of_task.get(event.task_id) or []
        if event.type in ("task_claimed", "task_completed") and len(groups) == 1:
            _attr(node, "string", "org:group", groups[0])
        _attr(node, "date", "time:timestamp", event.at)
        _attr(node, "id", "identity:id", _identity(event))
        _attr(node, "string", "audit_type", event.type)
        _attr(node, "int", "audit_seq", event.seq)
        _attr(node, "string", "audit_hash", event.hash)
        if element_id:
            _attr(node, "string", "element_id", element_id)
        if event.task_id is not None:
            _attr(node, "int", "task_id", event.task_id)
        decision, opinion = _decision_opinion(event)
        if decision:
            _attr(node, "string", "decision", decision)
        if opinion:
            _attr(node, "string", "opinion", opinion)
        if event.type == "task_created":
            if groups_of_task.get(event.task_id):
                _attr(node, "string", "candidate_groups", ",".join(groups_of_task[event.task_id]))
            if data.get("assignee"):
                _attr(node, "string", "assignee", data["assignee"])
            if data.get("due_at"):
                _attr(node, "date", "due_at", datetime.fromisoformat(data["due_at"]))
        if event.type == "service_task_completed" and data.get("topic"):
            _attr(node, "string", "topic", data["topic"])
        if event.type == "instance_completed" and data.get("outcome"):
            _attr(node, "string", "outcome", data["outcome"])


def to_xes(instances):
    """An IEEE 1849-2016 XES document, UTF-8 bytes (see the module docstring)."""
    log = etree.Element("log", {"xes.version": XES_VERSION})
    _xes_header(log)
    labels = _Labels()
    for instance in instances:
        _xes_trace(log, instance, labels)
    return etree.tostring(log, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- OCEL 2.0 -----------------------------------------------------------

OCEL_OBJECT_TYPES = [
    {"name": "case", "attributes": [
        {"name": "business_key", "type": "string"}, {"name": "case_id", "type": "integer"},
        {"name": "process_key", "type": "string"}, {"name": "process_version", "type": "integer"},
        {"name": "district", "type": "string"}, {"name": "title", "type": "string"},
        {"name": "outcome", "type": "string"}]},
    {"name": "consortium", "attributes": [
        {"name": "name", "type": "string"}, {"name": "chain_domain", "type": "string"},
        {"name": "district", "type": "string"}, {"name": "lead_unit_name", "type": "string"},
        {"name": "lead_unit_type", "type": "string"}, {"name": "lead_unit_credit_code", "type": "string"},
        {"name": "approved_at", "type": "time"}]},
    {"name": "member_unit", "attributes": [
        {"name": "credit_code", "type": "string"}, {"name": "name", "type": "string"}]},
    # the problem, breakthrough-project and achievement libraries (standard §5.4-§5.6): no objects yet
    {"name": "problem", "attributes": []},
    {"name": "project", "attributes": []},
    {"name": "achievement", "attributes": []},
]

_COMMON_EVENT_ATTRIBUTES = ("audit_type", "audit_seq", "audit_hash", "actor", "element_id")
_EVENT_ATTRIBUTES = {   # audit type -> attributes beyond the common ones
    "instance_started": ("process", "version"),
    "task_created": ("task_id", "assignee", "candidate_groups", "due_at"),
    "task_claimed": ("task_id",),
    "task_released": ("task_id",),
    "task_draft_saved": ("task_id",),
    "task_completed": ("task_id", "decision", "opinion"),
    "task_cancelled": ("task_id",),
    "service_task_completed": ("topic", "result"),
    "instance_completed": ("outcome",),
}
_ATTRIBUTE_TYPES = {"audit_seq": "integer", "task_id": "integer", "version": "integer", "due_at": "time"}
_ACTIVITY_SUFFIX = {
    "instance_started": "case started", "task_created": "created", "task_claimed": "claimed",
    "task_released": "released", "task_draft_saved": "draft saved", "task_completed": "completed",
    "task_cancelled": "cancelled", "service_task_completed": "service completed",
    "instance_completed": "case ended",
}


def _ocel_type(event, element_name):
    suffix = _ACTIVITY_SUFFIX.get(event.type)
    if suffix is None or not element_name:
        return event.type
    return f"{element_name} ({suffix})"


def _ocel_attribute_value(event, name, element_id):
    data = event.data or {}
    if name == "audit_type":
        return event.type
    if name == "audit_seq":
        return str(event.seq)
    if name == "audit_hash":
        return event.hash
    if name == "actor":
        return event.actor_name or "system"
    if name == "element_id":
        return element_id
    if name == "task_id":
        return _text(event.task_id)
    if name == "candidate_groups":
        return ",".join(str(g) for g in data.get("candidate_groups") or [])
    if name == "due_at":
        return iso_utc(datetime.fromisoformat(data["due_at"])) if data.get("due_at") else ""
    if name == "result":
        result = data.get("result")
        return "" if result is None else json.dumps(result, ensure_ascii=False, sort_keys=True)
    return _text(data.get(name))


def _object_attr(name, value, time=_EPOCH):
    return {"name": name, "value": _text(value), "time": iso_utc(time)}


def to_ocel(instances):
    """An OCEL 2.0 JSON object-centric event log, as a dict (see the module docstring)."""
    instances = list(instances)
    consortia = {}
    if instances:
        rows = db.session.execute(
            select(Consortium).where(Consortium.instance_id.in_([i.id for i in instances]))
            .options(selectinload(Consortium.members)).order_by(Consortium.id)).scalars().all()
        consortia = {c.instance_id: c for c in rows}
    labels = _Labels()
    event_types, events, objects = {}, [], []
    members = {}   # credit code -> {"names": [(time, name)], "order": first seen}

    def note_member(code, name, time):
        entry = members.setdefault(code, {"names": [], "order": len(members)})
        entry["names"].append((_utc(time), name))

    for instance in instances:
        case_id = f"case:{instance.business_key}"
        consortium = consortia.get(instance.id)
        consortium_id = f"consortium:{consortium.id}" if consortium is not None else None
        case = {"id": case_id, "type": "case", "attributes": [
            _object_attr("business_key", instance.business_key), _object_attr("case_id", instance.id),
            _object_attr("process_key", instance.process_key),
            _object_attr("process_version", _process_version(instance)),
            _object_attr("district", instance.district), _object_attr("title", instance.title)]}
        if instance.outcome and instance.ended_at is not None:
            case["attributes"].append(_object_attr("outcome", instance.outcome, instance.ended_at))
        if consortium_id:
            case["relationships"] = [{"objectId": consortium_id, "qualifier": "created"}]
        objects.append(case)
        if consortium is not None:
            objects.append({"id": consortium_id, "type": "consortium", "attributes": [
                _object_attr("name", consortium.name), _object_attr("chain_domain", consortium.chain_domain),
                _object_attr("district", consortium.district),
                _object_attr("lead_unit_name", consortium.lead_unit_name),
                _object_attr("lead_unit_type", consortium.lead_unit_type),
                _object_attr("lead_unit_credit_code", consortium.lead_unit_credit_code),
                _object_attr("approved_at", iso_utc(consortium.approved_at))],
                "relationships": [{"objectId": f"member_unit:{m.credit_code}", "qualifier": "has member"}
                                  for m in consortium.members]})
            for member in consortium.members:
                note_member(member.credit_code, member.name, member.joined_at)

        for event in audit.events_of(instance.id):
            element_id, element_name = labels.element(instance, event)
            kind = _ocel_type(event, element_name)
            names = _COMMON_EVENT_ATTRIBUTES + _EVENT_ATTRIBUTES.get(event.type, ())
            event_types.setdefault(kind, [{"name": n, "type": _ATTRIBUTE_TYPES.get(n, "string")} for n in names])
            relationships = [{"objectId": case_id, "qualifier": "case"}]
            created = _consortium_id(event)
            if consortium is not None and created is not None and created == consortium.id:
                relationships.append({"objectId": consortium_id, "qualifier": "created"})
            if consortium is not None and event.type == "instance_completed":
                relationships.append({"objectId": consortium_id, "qualifier": "resulted in"})
            for code, name in _listed_members(event):
                note_member(code, name, event.at)
                relationships.append({"objectId": f"member_unit:{code}", "qualifier": "lists member"})
            events.append({
                "id": f"{event.chain}#{event.seq}", "type": kind, "time": iso_utc(event.at),
                "attributes": [{"name": n, "value": _ocel_attribute_value(event, n, element_id)} for n in names],
                "relationships": relationships})

    for code, entry in sorted(members.items(), key=lambda item: item[1]["order"]):
        history, last = [], None
        for time, name in sorted(entry["names"], key=lambda pair: pair[0]):
            if name and name != last:
                history.append(_object_attr("name", name, time))
                last = name
        objects.append({"id": f"member_unit:{code}", "type": "member_unit",
                        "attributes": [_object_attr("credit_code", code)] + history})

    events.sort(key=lambda e: e["time"])   # one timeline across cases; a stable sort keeps chain order
    return {
        "objectTypes": copy.deepcopy(OCEL_OBJECT_TYPES),
        "eventTypes": [{"name": name, "attributes": attributes} for name, attributes in event_types.items()],
        "objects": objects,
        "events": events,
    }
