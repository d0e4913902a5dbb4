"""Exports of cases' audit trails: CSV for people, XES and OCEL 2.0 for process mining.

The caller chooses the cases and checks permissions; these functions only read
each case's hash-chained audit trail (`audit.events_of`) and, for OCEL, the
consortium records its cases created. Output is deterministic: the same rows
give the same bytes (no export time is written), so an export can be hashed
and compared later.

One module per format: csv_export.py, xes.py, ocel.py; what they share is common.py.
"""
import re
import uuid
from datetime import datetime, timezone

from .... import localtime
from ...workflow import definitions

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
    "instance_terminated": "pi_abort",      # ended early by an administrator
    "instance_cancelled": "pi_abort",       # ended early by its initiator (撤销)
}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
IDENTITY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:chainq:audit-event")

CSV_COLUMNS = ("case_id", "business_key", "process_key", "process_version", "district", "seq", "time",
               "actor", "event_type", "element_id", "element_name", "decision", "opinion", "event_hash")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# XML 1.0 forbids most C0 controls, lone surrogates and U+FFFE/U+FFFF; lxml refuses them.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- shared -------------------------------------------------------------

def iso_time(moment):
    """2026-01-31T16:00:00.123456+08:00: ISO 8601 in the programme's zone, with its offset (the same
    local time the pages show, and still one exact moment for a machine)."""
    return localtime.iso(moment)


def xes_time(moment):
    """2026-01-31T16:00:00.123+08:00 (milliseconds and an offset: the form XES readers commonly expect)."""
    return localtime.local(moment).isoformat(timespec="milliseconds")


def text(value):
    return "" if value is None else str(value)


def process_version(instance):
    # not instance.version: that column is the row's optimistic-lock counter
    return instance.definition.version


class Labels:
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
            topic = text((event.data or {}).get("topic"))
            element_id = topics.get(topic, topic)
        if not element_name:
            element_name = names.get(element_id, element_id)
        return element_id, element_name


def decision_opinion(event):
    if event.type != "task_completed":
        return "", ""
    data = event.data or {}
    return text(data.get("decision")), text(data.get("opinion"))


def consortium_id(event):
    if event.type != "service_task_completed":
        return None
    result = (event.data or {}).get("result")
    return result.get("consortium_id") if isinstance(result, dict) else None


def listed_members(event):
    """(credit code, name) of each member unit a completed form lists."""
    if event.type != "task_completed":
        return []
    form = (event.data or {}).get("form")
    members = form.get("members") if isinstance(form, dict) else None
    listed = []
    for row in members if isinstance(members, list) else []:
        if isinstance(row, dict) and row.get("credit_code"):
            listed.append((str(row["credit_code"]), text(row.get("name"))))
    return listed


def object_attr(name, value, time=EPOCH):
    """An OCEL object attribute value: text, at `time` (the epoch: it held for the object's whole life)."""
    return {"name": name, "value": text(value), "time": iso_time(time)}
