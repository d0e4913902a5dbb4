"""Audit trails as XES for process mining.

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
    instance_terminated       instance_terminated          pi_abort
    instance_cancelled        instance_cancelled           pi_abort
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
    candidate_groups, assignee and due_at when set; a case ended early (pi_abort:
    an administrator terminated it, its initiator withdrew it) carries the
    reason. The service task runs
    inside the command that completes the step before it, so it appears just
    before that step's "complete" event, as in the audit trail.
"""
import uuid
from datetime import datetime

from lxml import etree

from .. import trail as audit
from . import common

# --- XES ----------------------------------------------------------------

def _xml_safe(value):
    return common.NOT_XML.sub("\ufffd", common.text(value))


def _attr(parent, kind, key, value):
    """<string key=".." value=".."/> and its siblings; values go through lxml, never string building."""
    if kind == "date":
        value = common.xes_time(value)
    elif kind == "int":
        value = str(int(value))
    else:
        value = _xml_safe(value)
    return etree.SubElement(parent, kind, key=key, value=value)


def _identity(event):
    return str(uuid.uuid5(common.IDENTITY_NAMESPACE, event.hash))


def _xes_header(log):
    for name, prefix, uri in common.XES_EXTENSIONS:
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
    _attr(event_globals, "date", "time:timestamp", common.EPOCH)
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
    _attr(trace, "int", "process_version", common.process_version(instance))
    _attr(trace, "string", "district", instance.district)
    _attr(trace, "string", "title", instance.title)
    if instance.outcome:
        _attr(trace, "string", "outcome", instance.outcome)
    groups_of_task, claimed = {}, set()
    for event in audit.events_of(instance.id):
        data = event.data or {}
        if event.type == "task_created" and event.task_id is not None:
            groups_of_task[event.task_id] = [str(g) for g in data.get("candidate_groups") or []]
        transition = common.XES_LIFECYCLE.get(event.type)
        if transition is None:
            continue
        if event.type == "task_claimed":
            if event.task_id in claimed:
                transition = "reassign"
            claimed.add(event.task_id)
        _xes_event(trace, instance, event, transition, labels, groups_of_task.get(event.task_id) or [])


def _xes_event(trace, instance, event, transition, labels, groups):
    """One XES event of an audit event (the attributes the module docstring lists)."""
    data = event.data or {}
    element_id, element_name = labels.element(instance, event)
    node = etree.SubElement(trace, "event")
    _attr(node, "string", "concept:name", element_name or event.type)
    _attr(node, "string", "lifecycle:transition", transition)
    _attr(node, "string", "org:resource", event.actor_name or "system")
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
    decision, opinion = common.decision_opinion(event)
    optional = [("string", "decision", decision), ("string", "opinion", opinion)]
    if event.type == "task_created":
        optional += [("string", "candidate_groups", ",".join(groups)), ("string", "assignee", data.get("assignee")),
                     ("date", "due_at", datetime.fromisoformat(data["due_at"]) if data.get("due_at") else None)]
    if event.type == "service_task_completed":
        optional.append(("string", "topic", data.get("topic")))
    if event.type == "instance_completed":
        optional.append(("string", "outcome", data.get("outcome")))
    if event.type in ("instance_terminated", "instance_cancelled"):
        optional.append(("string", "reason", data.get("reason")))
    for kind, key, value in optional:
        if value:
            _attr(node, kind, key, value)


def to_xes(instances):
    """An IEEE 1849-2016 XES document, UTF-8 bytes (see the module docstring)."""
    log = etree.Element("log", {"xes.version": common.XES_VERSION})
    _xes_header(log)
    labels = common.Labels()
    for instance in instances:
        _xes_trace(log, instance, labels)
    return etree.tostring(log, xml_declaration=True, encoding="UTF-8", pretty_print=True)
