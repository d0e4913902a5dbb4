"""Audit trails as OCEL 2.0 for object-centric process mining.

OCEL 2.0 (`to_ocel`, JSON format)
    Validates against the OCEL 2.0 JSON schema. Object types: case, consortium,
    member_unit, achievement, problem and project. Objects: every case ("case:<business key>");
    every consortium a case created ("consortium:<id>", found by
    Consortium.instance_id); every member unit, identified by its unified social
    credit code ("member_unit:<code>"), whether it joined a consortium or was
    only listed on an application; every achievement, quality problem and
    breakthrough project a case carries ("achievement:<number>", "problem:<number>",
    "project:<number>"; ocel_libraries.py says which cases carry which, and with
    which qualifier). Object relationships: case -"created"-> consortium,
    consortium -"has member"-> member_unit, case -"admitted" / "shares" /
    "licenses"-> achievement, case -"reported" / "changed status" / "reviewed"->
    problem, case -"runs"-> project, project -"addresses"-> problem. A problem's
    status carries each status it entered, at its moment. The cases come from the
    audit search, which leaves out the cases of achievements the exporting user
    may not read.
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
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .... import localtime
from ....extensions import db
from ....models import Consortium
from .. import trail as audit
from . import common, ocel_libraries
from .common import object_attr

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
    *ocel_libraries.OBJECT_TYPES,
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
    "instance_terminated": ("reason",),
    "instance_cancelled": ("reason",),
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
        return common.text(event.task_id)
    if name == "candidate_groups":
        return ",".join(str(g) for g in data.get("candidate_groups") or [])
    if name == "due_at":
        return common.iso_time(datetime.fromisoformat(data["due_at"])) if data.get("due_at") else ""
    if name == "result":
        result = data.get("result")
        return "" if result is None else json.dumps(result, ensure_ascii=False, sort_keys=True)
    return common.text(data.get(name))


class _Log:
    """The OCEL log being built: event types, events, objects, and the member units seen so far."""

    def __init__(self):
        self.event_types, self.events, self.objects = {}, [], []
        self.members = {}   # credit code -> {"names": [(time, name)], "order": first seen}
        self.labels = common.Labels()

    def note_member(self, code, name, time):
        entry = self.members.setdefault(code, {"names": [], "order": len(self.members)})
        entry["names"].append((localtime.aware(time), name))


def _consortia_of(instances):
    if not instances:
        return {}
    rows = db.session.execute(
        select(Consortium).where(Consortium.instance_id.in_([i.id for i in instances]))
        .options(selectinload(Consortium.members)).order_by(Consortium.id)).scalars().all()
    return {c.instance_id: c for c in rows}


def _case_objects(log, instance, consortium):
    """The case's object and, if it created one, its consortium's; returns the consortium's object id."""
    consortium_id = f"consortium:{consortium.id}" if consortium is not None else None
    case = {"id": f"case:{instance.business_key}", "type": "case", "attributes": [
        object_attr("business_key", instance.business_key), object_attr("case_id", instance.id),
        object_attr("process_key", instance.process_key),
        object_attr("process_version", common.process_version(instance)),
        object_attr("district", instance.district), object_attr("title", instance.title)]}
    if instance.outcome and instance.ended_at is not None:
        case["attributes"].append(object_attr("outcome", instance.outcome, instance.ended_at))
    if consortium_id:
        case["relationships"] = [{"objectId": consortium_id, "qualifier": "created"}]
    log.objects.append(case)
    if consortium is not None:
        log.objects.append({"id": consortium_id, "type": "consortium", "attributes": [
            object_attr("name", consortium.name), object_attr("chain_domain", consortium.chain_domain),
            object_attr("district", consortium.district),
            object_attr("lead_unit_name", consortium.lead_unit_name),
            object_attr("lead_unit_type", consortium.lead_unit_type),
            object_attr("lead_unit_credit_code", consortium.lead_unit_credit_code),
            object_attr("approved_at", common.iso_time(consortium.approved_at))],
            "relationships": [{"objectId": f"member_unit:{m.credit_code}", "qualifier": "has member"}
                              for m in consortium.members]})
        for member in consortium.members:
            log.note_member(member.credit_code, member.name, member.joined_at)
    return consortium_id


def _case_events(log, instance, consortium, consortium_id):
    for event in audit.events_of(instance.id):
        element_id, element_name = log.labels.element(instance, event)
        kind = _ocel_type(event, element_name)
        names = _COMMON_EVENT_ATTRIBUTES + _EVENT_ATTRIBUTES.get(event.type, ())
        log.event_types.setdefault(kind, [{"name": n, "type": _ATTRIBUTE_TYPES.get(n, "string")} for n in names])
        relationships = [{"objectId": f"case:{instance.business_key}", "qualifier": "case"}]
        created = common.consortium_id(event)
        if consortium is not None and created is not None and created == consortium.id:
            relationships.append({"objectId": consortium_id, "qualifier": "created"})
        if consortium is not None and event.type == "instance_completed":
            relationships.append({"objectId": consortium_id, "qualifier": "resulted in"})
        for code, name in common.listed_members(event):
            log.note_member(code, name, event.at)
            relationships.append({"objectId": f"member_unit:{code}", "qualifier": "lists member"})
        log.events.append({
            "id": f"{event.chain}#{event.seq}", "type": kind, "time": common.iso_time(event.at),
            "attributes": [{"name": n, "value": _ocel_attribute_value(event, n, element_id)} for n in names],
            "relationships": relationships})


def _member_objects(log):
    for code, entry in sorted(log.members.items(), key=lambda item: item[1]["order"]):
        history, last = [], None
        for time, name in sorted(entry["names"], key=lambda pair: pair[0]):
            if name and name != last:
                history.append(object_attr("name", name, time))
                last = name
        log.objects.append({"id": f"member_unit:{code}", "type": "member_unit",
                            "attributes": [object_attr("credit_code", code)] + history})


def to_ocel(instances):
    """An OCEL 2.0 JSON object-centric event log, as a dict (see the module docstring)."""
    instances = list(instances)
    consortia = _consortia_of(instances)
    libraries = ocel_libraries.LibraryObjects(instances)
    log = _Log()
    for instance in instances:
        consortium = consortia.get(instance.id)
        case_at, events_from = len(log.objects), len(log.events)
        consortium_id = _case_objects(log, instance, consortium)
        _case_events(log, instance, consortium, consortium_id)
        libraries.relate(log.objects[case_at], log.events[events_from:], instance.id)
    log.objects += libraries.objects()
    _member_objects(log)
    log.events.sort(key=lambda e: e["time"])   # one timeline across cases; a stable sort keeps chain order
    return {
        "objectTypes": copy.deepcopy(OCEL_OBJECT_TYPES),
        "eventTypes": [{"name": name, "attributes": attributes} for name, attributes in log.event_types.items()],
        "objects": log.objects,
        "events": log.events,
    }
