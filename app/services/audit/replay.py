"""Auditors' replay: the state of a case after each of its audit events, and a
re-execution check against a fresh workflow of the pinned definition version.

The step states are a fold over the events (no engine): data merged from each
submitted form and service result, completed elements from each step's
recorded `path`, tokens at the user tasks that were open. One pass serves every
step, and is cached per (case, last event) so a slider moves instantly.
"""
import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from ... import localtime
from ...engine import delivery, migration as engine_migration, runner
from ...models import ProcessInstance
from ..command import command
from ..errors import Conflict, Forbidden
from ..identity.permissions import AUDITORS, is_admin
from ..workflow import definitions
from ..workflow.handlers import HANDLERS
from . import trail as audit

_CACHE_SIZE = 64
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def may_audit(user):
    return user is not None and (AUDITORS in user.group_keys or is_admin(user))


def require_auditor(user):
    if not may_audit(user):
        raise Forbidden(_("Auditors only."))


@dataclass
class StepState:
    """The case as it stood right after one audit event."""
    seq: int
    event_id: int
    type: str
    at: str
    actor: str
    element_id: str
    element_name: str
    completed: list                     # element ids completed so far, in order
    active: list                        # element ids holding a token (open user tasks)
    data: dict
    changes: list = field(default_factory=list)   # [(field, before, after)] made by this event
    event_data: dict = field(default_factory=dict)

    def as_dict(self):
        return {"seq": self.seq, "type": self.type, "at": self.at, "actor": self.actor,
                "element_id": self.element_id, "element_name": self.element_name,
                "completed": sorted(set(self.completed)), "path": self.completed, "active": self.active,
                "data": self.data, "changes": [{"field": f, "before": b, "after": a} for f, b, a in self.changes],
                "event": self.event_data}


def _diff(before, after):
    keys = sorted(set(before) | set(after))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def fold(events):
    """Every step state of a case, from its events alone."""
    data, completed, active, steps = {}, [], [], []
    for event in events:
        before = dict(data)
        payload = event.data or {}
        if event.type == "instance_started":
            data.update(payload.get("data") or {})
        elif event.type == "steps_completed":
            completed.extend(payload.get("path") or [])
        elif event.type == "task_created":
            active.append(event.element_id)
        elif event.type in ("task_completed", "task_cancelled", "signature_recorded"):
            if event.element_id in active:
                active.remove(event.element_id)
            if event.type == "task_completed":
                data.update(payload.get("form") or {})
                completed.extend(payload.get("path") or [])
        elif event.type in ("case_taken_back", "case_returned_to"):
            completed[:] = list(payload.get("completed") or [])
        elif event.type == "service_task_completed" and isinstance(payload.get("result"), dict):
            data.update(payload["result"])
        elif event.type in ("message_received", "signal_received"):
            data.update(payload.get("variables") or {})
            completed.extend(payload.get("path") or [])
        elif event.type == "incident_retried":      # the failed step, run again by an administrator
            completed.extend(payload.get("path") or [])
        elif event.type == "data_corrected":
            data.update(payload.get("after") or {})
            for name in payload.get("removed") or ():
                data.pop(name, None)
        steps.append(StepState(
            seq=event.seq, event_id=event.id, type=event.type, at=localtime.iso(event.at), actor=event.actor_name,
            element_id=event.element_id, element_name=event.element_name, completed=list(completed),
            active=list(active), data=copy.deepcopy(data), changes=_diff(before, data), event_data=payload))
    return steps


def steps_of(instance):
    """The cached fold for a case; recomputed when it has new events."""
    head = audit.head_of(audit.chain_of(instance.id))     # one indexed row: is the cache current?
    key = (instance.id, head.seq if head else 0, head.hash if head else "")
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    steps = fold(audit.events_of(instance.id))
    with _cache_lock:
        _cache[key] = steps
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return steps


def step(actor, instance, n):
    """Step n (1-based, clamped) of a case, for the replay slider."""
    require_auditor(actor)
    steps = steps_of(instance)
    if not steps:
        return None, 0
    n = max(1, min(n, len(steps)))
    return steps[n - 1], len(steps)


@dataclass
class ReexecutionReport:
    ok: bool
    events_checked: int
    diverging_seq: int | None = None
    reason: str = ""


def reexecute(actor, instance: ProcessInstance):
    """Replay the recorded commands on a fresh workflow of the pinned version and
    compare with what was stored; report the first event where they diverge."""
    require_auditor(actor)
    events = audit.events_of(instance.id)
    compiled = _started_on(instance, events)
    recorded_results = [e.data.get("result") for e in events if e.type == "service_task_completed"]
    results = iter(recorded_results)

    def recorded(data, **_kwargs):   # side effects are not repeated: the recorded result is replayed
        try:
            return next(results)
        except StopIteration:
            raise RuntimeError("a service task ran that the record does not show") from None

    handlers = {topic: recorded for topic in HANDLERS}
    workflow = None
    checked = 0
    for event in events:
        checked += 1
        payload = event.data or {}
        try:
            if event.type == "instance_started":
                workflow = runner.new_workflow(compiled, payload.get("data") or {}, handlers)
                runner.advance(workflow)
                continue
            if workflow is None:
                return ReexecutionReport(False, checked, event.seq, "the record does not begin with the start")
            check = _CHECKS.get(event.type)
            reason = check(workflow, event, payload) if check is not None else None
        except Exception as exc:   # the engine refusing a recorded step is itself a divergence
            reason = f"{type(exc).__name__}: {exc}"
        if reason:
            return ReexecutionReport(False, checked, event.seq, reason)
    if workflow is None:
        return ReexecutionReport(False, checked, None, "no events")
    stored = runner.open_workflow(instance.state, definitions.compiled_by_id(instance.definition_id))
    mine = (sorted(t.element_id for t in runner.ready_user_tasks(workflow)), workflow.completed,
            runner.current_data(workflow))
    theirs = (sorted(t.element_id for t in runner.ready_user_tasks(stored)), stored.completed,
              runner.current_data(stored))
    if mine != theirs:
        return ReexecutionReport(False, checked, events[-1].seq if events else None,
                                 "the stored state differs from the re-executed one (waiting steps, end or data)")
    return ReexecutionReport(True, checked)


# What re-executing each recorded event means, and the divergence it can show (None: none).
def _check_start_path(workflow, event, payload):
    if runner.snapshot_path(workflow) != payload.get("path") or \
            ("waiting" in payload and runner.waiting_elements(workflow) != payload["waiting"]):
        return "the start ran a different path"
    return None


def _check_task_created(workflow, event, payload):
    if event.element_id not in {t.element_id for t in runner.ready_user_tasks(workflow)}:
        return f"step '{event.element_id}' would not be waiting here"
    return None


def _check_task_completed(workflow, event, payload):
    ready = [t for t in runner.ready_user_tasks(workflow) if t.element_id == event.element_id]
    index = payload.get("instance_index", 0)        # which of several waiting instances of the step
    if not ready or not isinstance(index, int) or not 0 <= index < len(ready):
        return f"step '{event.element_id}' was not waiting when it was completed"
    before = len(runner.snapshot_path(workflow))
    # a decision whose next step failed (an incident) was saved before that step ran
    runner.complete_user_task(workflow, ready[index].spiff_id, payload.get("form") or {},
                              run_on="incident" not in payload)
    path = runner.snapshot_path(workflow)[before:]
    if path != payload.get("path"):
        return f"re-execution took {path}, the record says {payload.get('path')}"
    waiting = runner.waiting_elements(workflow)
    if "waiting" in payload and waiting != payload["waiting"]:
        return f"re-execution now waits at {waiting}, the record says {payload['waiting']}"
    return None


def _check_taken_back(workflow, event, payload):
    runner.reset_to(workflow, event.element_id)
    if runner.snapshot_path(workflow) != payload.get("completed"):
        return "taking the case back undid different steps"
    return None


def _check_timer_fired(workflow, event, payload):
    waiting = [spiff_id for spiff_id, element_id, _due in runner.waiting_timers(workflow)
               if element_id == event.element_id]
    if not waiting:
        return f"timer '{event.element_id}' was not waiting when it fired"
    before = len(runner.snapshot_path(workflow))
    scheduled = datetime.fromisoformat(payload["due_at"]) if payload.get("due_at") else None
    runner.fire_timer(workflow, waiting[0], scheduled=scheduled)
    path = runner.snapshot_path(workflow)[before:]
    if path != payload.get("path"):
        return f"re-execution took {path} after the timer, the record says {payload.get('path')}"
    if "waiting" in payload and runner.waiting_elements(workflow) != payload["waiting"]:
        return f"re-execution now waits at {runner.waiting_elements(workflow)}, the record says {payload['waiting']}"
    return None


def _check_received(workflow, event, payload):
    """A message or signal the case caught: hand it over again with the recorded variables."""
    kind = event.type.split("_", 1)[0]
    before = len(runner.snapshot_path(workflow))
    if not delivery.deliver(workflow, kind, payload.get("name", ""), payload.get("variables") or {}):
        return f"the case would not have been waiting for {kind} '{payload.get('name')}'"
    path = runner.snapshot_path(workflow)[before:]
    if path != payload.get("path"):
        return f"re-execution took {path} after the {kind}, the record says {payload.get('path')}"
    if "waiting" in payload and runner.waiting_elements(workflow) != payload["waiting"]:
        return f"re-execution now waits at {runner.waiting_elements(workflow)}, the record says {payload['waiting']}"
    return None


def _check_incident_retried(workflow, event, payload):
    """An administrator ran a failed step again: when it went through, the steps it ran."""
    if not payload.get("resolved"):
        return None
    before = len(runner.snapshot_path(workflow))
    runner.advance(workflow)
    path = runner.snapshot_path(workflow)[before:]
    if path != payload.get("path"):
        return f"re-execution took {path} at the retry, the record says {payload.get('path')}"
    return None


def _check_data_corrected(workflow, event, payload):
    runner.correct_data(workflow, payload.get("after") or {}, payload.get("removed") or ())
    return None


def _started_on(instance, events):
    """The version the case started on (a migrated case is pinned to the version it moved to)."""
    started = next((e for e in events if e.type == "instance_started"), None)
    version = (started.data or {}).get("version") if started is not None else None
    if version is not None and version != instance.definition.version:
        found = definitions.version_of(instance.process_key, version)
        if found is not None:
            return definitions.compiled(found)
    return definitions.compiled_by_id(instance.definition_id)


def _check_migrated(workflow, event, payload):
    """Moved to another version by an administrator: the same migration, with the recorded mapping."""
    target = definitions.compiled_by_id(payload.get("to_definition"))
    engine_migration.migrate(workflow, target, payload.get("mapping") or {})
    if "at" in payload and engine_migration.current_elements(workflow) != payload["at"]:
        return f"after the migration the case is at {engine_migration.current_elements(workflow)}, " \
               f"the record says {payload['at']}"
    return None


def _check_completed(workflow, event, payload):
    if not workflow.completed or runner.snapshot(workflow).end_element != payload.get("outcome"):
        return "the case would not have ended here"
    return None


_CHECKS = {
    "steps_completed": _check_start_path,
    "task_created": _check_task_created,
    "task_completed": _check_task_completed,
    "case_taken_back": _check_taken_back,
    "case_returned_to": _check_taken_back,
    "timer_fired": _check_timer_fired,
    "message_received": _check_received,
    "signal_received": _check_received,
    "instance_completed": _check_completed,
    "incident_retried": _check_incident_retried,
    "data_corrected": _check_data_corrected,
    "instance_migrated": _check_migrated,
}


def anchor_today():
    """Command: record today's anchor of all chain heads (idempotent; safe from several processes)."""
    try:
        with command():
            anchor = audit.anchor_heads()
            day = anchor.day if anchor is not None else None
    except Conflict:      # another process anchored the same day at the same moment
        return None
    return day
