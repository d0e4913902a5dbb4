"""Delivering messages and signals to a workflow, and reading what it waits for and threw.

Pure, like the rest of the engine: the services decide which case receives
(app/services/workflow/messages.py) and call these functions between loading
the case and saving it.

- `subscriptions`: what a running case waits for now (catch events, receive
  tasks, boundary events, event-based gateways, event subprocess starts); the
  services keep a row per subscription, so finding receivers never loads a case.
- `deliver`: hand one message or signal to a case (every point of the case waiting
  for that name catches it), then run on.
- `thrown`: the messages and signals the case threw that no point of the case
  itself caught; the services deliver them to other cases.
- `settle`: what SpiffWorkflow 3.2 leaves undone around event subprocesses: an
  interrupting one that started cancels the rest of its scope, and one that never
  started does not keep its finished scope open.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import TaskState

from .events import MESSAGE, SIGNAL, EventSubprocessTask, Message, Signal, event_for


@dataclass(frozen=True)
class Subscription:
    kind: str           # MESSAGE | SIGNAL
    name: str
    element_id: str
    spiff_id: str       # "" for an event subprocess start (no task waits: the scope does)


@dataclass(frozen=True)
class Thrown:
    kind: str
    name: str
    element_id: str                   # the throw event
    variables: dict[str, Any]
    business_key: str | None          # messages: the receiving case's business key, if the event names one


def kind_of(definition: object) -> str | None:
    if isinstance(definition, Message):
        return MESSAGE
    if isinstance(definition, Signal):
        return SIGNAL
    return None


def _waiting_definitions(task: Any) -> list[Any]:
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):     # an event-based gateway waits for several
        return list(definition.event_definitions)
    return [definition]


def subscriptions(workflow: BpmnWorkflow) -> list[Subscription]:
    """What the running case waits for now; its own message/signal start events are not among them."""
    if workflow.completed:
        return []
    found: list[Subscription] = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if isinstance(task.task_spec, StartEvent) and task.workflow is workflow:
            continue          # the process's start events start new cases (definition-level receivers)
        for definition in _waiting_definitions(task):
            kind = kind_of(definition)
            if kind is not None:
                found.append(Subscription(kind, definition.name, task.task_spec.bpmn_id, str(task.id)))
    if _interrupted(workflow):
        return found        # an interrupting event subprocess runs: the scope starts no other
    for name in workflow.spec.start.trigger_specs:          # event subprocesses started by a message/signal
        for start in workflow.subprocess_specs[name].bpmn_start_events:
            kind = kind_of(start.event_definition)
            if kind is not None:
                found.append(Subscription(kind, start.event_definition.name, start.bpmn_id, ""))
    return found


def _interrupted(workflow: BpmnWorkflow) -> bool:
    return any(task.task_spec.interrupting and _started(workflow, task) for task in
               workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK, spec_class=EventSubprocessTask))


def start_events(spec: Any) -> list[tuple[str, str, str]]:
    """(kind, name, element id) of the process's message and signal start events."""
    return [(kind, start.event_definition.name, start.bpmn_id) for start in spec.bpmn_start_events
            if (kind := kind_of(start.event_definition)) is not None]


def deliver(workflow: BpmnWorkflow, kind: str, name: str, variables: dict[str, Any] | None = None,
            source: str = "") -> bool:
    """Hand a message or signal to the workflow and run on; False when nothing in it waits for it."""
    try:
        workflow.send_event(event_for(kind, name, variables, source))
    except WorkflowException:
        return False
    workflow.do_engine_steps()
    settle(workflow)
    return True


def thrown(workflow: BpmnWorkflow) -> list[Thrown]:
    """The messages and signals thrown since the last call and not caught inside the case (drains them)."""
    out = []
    for event in workflow.get_events():
        kind = kind_of(event.event_definition)
        if kind is None:
            continue
        payload = event.payload if isinstance(event.payload, dict) else {}
        out.append(Thrown(kind, event.event_definition.name, str(payload.get("element") or ""),
                          dict(payload.get("variables") or {}), payload.get("business_key")))
    return out


def _live(task: Any) -> list[Any]:
    """The topmost unfinished tasks at or below `task` that hold a token: a join of the engine's own
    (no BPMN id) waiting for the other branches holds none."""
    if not task.has_state(TaskState.FINISHED_MASK):
        waiting_join = task.state == TaskState.WAITING and task.task_spec.bpmn_id is None
        return [] if waiting_join else [task]
    return [found for child in task.children for found in _live(child)]


def _started(workflow: BpmnWorkflow, task: Any) -> bool:
    """Whether the event subprocess behind `task` was set off: a step after its start event was reached."""
    sub = workflow.get_subprocess(task)
    return sub is not None and any(
        t.task_spec.bpmn_id is not None and not isinstance(t.task_spec, StartEvent)
        and t.has_state(_REACHED) for t in sub.get_tasks())


_REACHED = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.COMPLETED | TaskState.ERROR


def _settle_one(workflow: BpmnWorkflow, task: Any) -> bool:
    started = _started(workflow, task)
    if started and task.task_spec.interrupting:
        # BPMN: everything else in the scope ends, the other event subprocesses included
        cancelled = [t for sibling in task.parent.children if sibling is not task for t in _live(sibling)]
        for other in cancelled:
            other.cancel()
        return bool(cancelled)
    others = [t for sibling in task.parent.children if sibling is not task
              and not isinstance(sibling.task_spec, EventSubprocessTask) for t in _live(sibling)]
    if others:
        return False
    if not started:
        task.cancel()            # its scope ended: BPMN ends a waiting event subprocess with it
        return True
    # started and still running: once its started instances are done, its start may not fire again (a cycle)
    sub = workflow.get_subprocess(task)
    waiting = [t for t in sub.get_tasks(state=TaskState.WAITING) if isinstance(t.task_spec, StartEvent)]
    live = [t for t in sub.get_tasks(state=TaskState.NOT_FINISHED_MASK) if t.task_spec.bpmn_id is not None
            and t.has_state(_REACHED) and t not in waiting]
    if not waiting or live:
        return False
    for join in sub.get_tasks(state=TaskState.WAITING):
        if join.task_spec.bpmn_id is None:
            join.run()
    workflow.do_engine_steps()    # the instance ends before its start is cancelled: a cancel drops what follows
    for start in waiting:
        start.cancel()
    return True


def _finish_if_done(workflow: BpmnWorkflow) -> None:
    """With no token left but the engine's own end joins waiting (the branch they waited for was
    cancelled), run the joins, as the engine would have; with nothing at all left, the case is done."""
    tasks = workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)
    joins = [t for t in tasks if t.state == TaskState.WAITING and t.task_spec.bpmn_id is None]
    if any(t.task_spec.bpmn_id is not None and t.has_state(_REACHED) for t in tasks):
        return
    for join in joins:
        if join.state == TaskState.WAITING:
            join.run()
    workflow.do_engine_steps()
    if not workflow.completed and workflow.is_completed():
        last = workflow.last_task
        if last is not None:
            workflow.data.update(last.data)


def _has_event_subprocesses(workflow: BpmnWorkflow) -> bool:
    return any(isinstance(task_spec, EventSubprocessTask)
               for process in (workflow.spec, *workflow.subprocess_specs.values())
               for task_spec in process.task_specs.values())


def settle(workflow: BpmnWorkflow) -> bool:
    """Interrupt for interrupting event subprocesses that started; end those in a scope that has
    finished. True when it changed anything."""
    if not _has_event_subprocesses(workflow):
        return False        # the common case: no need to walk the task tree
    changed = False
    for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK, spec_class=EventSubprocessTask):
        if not task.has_state(TaskState.FINISHED_MASK):      # not cancelled by an earlier turn
            changed = _settle_one(workflow, task) or changed
    if changed:
        workflow.do_engine_steps()
    if not workflow.completed and workflow.get_tasks(spec_class=EventSubprocessTask):
        _finish_if_done(workflow)        # only event subprocesses leave joins waiting for nobody
    return changed
