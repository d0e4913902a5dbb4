"""Running workflows: create, load, step, and describe their human tasks.

The functions here are what a service calls between loading an instance row
and saving it. They never check who the actor is (the service does that), but
they do refuse to run a task that is not READY and manual, because
SpiffWorkflow's `task.run()` itself does not check.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState

from .delivery import settle
from .script_env import ServiceHandler, install_safe_engine
from .serializer import dump_workflow, load_workflow

if TYPE_CHECKING:
    from SpiffWorkflow.task import Task

    from .compiler import CompiledDefinition


class TaskNotReady(RuntimeError):
    """The task is not (or no longer) waiting for a person."""


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person, as the services see it."""
    spiff_id: str
    element_id: str
    name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """What the services persist after a step: the state and what it implies."""
    state: str
    completed: bool
    ready_tasks: tuple[ReadyTask, ...]
    completed_elements: tuple[str, ...]     # element ids completed so far, in order
    end_element: str                        # the end event reached, when completed
    data: dict[str, Any]


def new_workflow(definition: CompiledDefinition, data: Mapping[str, Any] | None = None,
                 services: Mapping[str, ServiceHandler] | None = None) -> BpmnWorkflow:
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
    install_safe_engine(workflow, services)
    if data:
        workflow.task_tree.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
    return workflow


def open_workflow(state: str, definition: CompiledDefinition,
                  services: Mapping[str, ServiceHandler] | None = None) -> BpmnWorkflow:
    workflow = load_workflow(state, definition)
    install_safe_engine(workflow, services)
    return workflow


def advance(workflow: BpmnWorkflow) -> None:
    """Run every automatic step until the workflow waits for people, timers or messages."""
    workflow.do_engine_steps()
    settle(workflow)
    end_if_done(workflow)


def end_if_done(workflow: BpmnWorkflow) -> bool:
    """Mark the workflow completed when no task is left, and keep the data it ended with.

    SpiffWorkflow sets `completed` only when its internal end task runs, and that task follows the
    end events. A path may also just stop (a lone start event, a task with no outgoing flow: an
    implicit end, valid BPMN); then no task is left but `completed` stays False, and the case would
    show "running" forever. The library's `is_completed()` asks the question itself (no unfinished
    task) and sets the flag; the case data is copied as the end task would have done."""
    if workflow.completed:
        return True
    if not workflow.is_completed():
        return False
    last = workflow.last_task
    if last is not None:
        workflow.data.update(last.data)
    return True


def ready_user_tasks(workflow: BpmnWorkflow) -> tuple[ReadyTask, ...]:
    return tuple(ReadyTask(str(t.id), t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                           dict(t.data))
                 for t in workflow.get_tasks(state=TaskState.READY, manual=True))


def _find(workflow: BpmnWorkflow, spiff_id: object) -> Task | None:
    try:
        return workflow.get_task_from_id(UUID(str(spiff_id)))
    except (ValueError, TaskNotFoundException):  # malformed or unknown id
        return None


def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[str, str, datetime]]:
    """(spiff id, element id, due datetime) of every timer event waiting in the workflow."""
    found: list[tuple[str, str, datetime]] = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        value = task.internal_data.get("event_value")
        if value is None:
            continue
        if isinstance(value, dict) and value.get("cycles") == 0:
            continue    # a cycle with no occurrence left: SpiffWorkflow would fire it once more
        moment = value.get("next") if isinstance(value, dict) else value
        try:
            due = TimerEventDefinition.get_datetime(str(moment))
        except ValueError:
            continue
        found.append((str(task.id), task.task_spec.bpmn_id, due.astimezone(timezone.utc)))
    return found


def fire_timer(workflow: BpmnWorkflow, spiff_id: object, scheduled: datetime | None = None) -> bool:
    """Make one waiting timer due now (our job table decides when) and run on.

    `scheduled` is the occurrence the job stood for: a cycle timer's following
    occurrence is counted from it (R2/PT1H fires one and two hours after the step
    began, however late the first firing ran), not from the moment it fired."""
    task = _find(workflow, spiff_id)
    if task is None or task.state != TaskState.WAITING:
        return False
    past = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value["next"] = past
    else:
        task.internal_data["event_value"] = past
    workflow.refresh_timers()
    value = task.internal_data.get("event_value")
    if scheduled is not None and isinstance(value, dict) and value.get("cycles") and "duration" in value:
        value["next"] = (scheduled + timedelta(seconds=value["duration"])).isoformat()
    advance(workflow)
    return True


def shift_timers(workflow: BpmnWorkflow, delta: timedelta) -> None:
    """Move the due moment of every waiting timer by `delta` (a suspended case resumes: each timer
    keeps the time it had left). The library keeps a timer's moment in the task's `internal_data`
    (`event_value`: an ISO moment, or a cycle's dict with `next`), as `fire_timer` writes it too."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if not isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
            continue
        value = task.internal_data.get("event_value")
        if isinstance(value, dict) and value.get("next"):
            value["next"] = (TimerEventDefinition.get_datetime(str(value["next"])) + delta).isoformat()
        elif isinstance(value, str):
            task.internal_data["event_value"] = (TimerEventDefinition.get_datetime(value) + delta).isoformat()


def reset_to(workflow: BpmnWorkflow, element_id: str) -> str:
    """Make the latest completed visit of a user task READY again, undoing what followed it.

    The reopened task keeps what was submitted at that visit: the library gives it back the data
    it had before it ran, so a withdrawn application would open as an empty form."""
    done = [t for t in completed_tasks(workflow) if t.task_spec.bpmn_id == element_id and t.task_spec.manual]
    if not done:
        raise TaskNotReady(f"step {element_id} has not been completed")
    submitted = dict(done[-1].data)
    workflow.reset_from_task_id(done[-1].id)
    reopened = _find(workflow, done[-1].id)
    if reopened is not None:
        reopened.data.update(submitted)
    advance(workflow)
    return str(done[-1].id)


def waiting_elements(workflow: BpmnWorkflow, ready_tasks: Iterable[ReadyTask] | None = None) -> list[str]:
    """Element ids of the user tasks now waiting for people, sorted (from `ready_tasks` if the
    caller has just read them: each look goes through the whole task tree)."""
    if ready_tasks is not None:
        return sorted(r.element_id for r in ready_tasks)
    return sorted(t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY, manual=True))


def complete_user_task(workflow: BpmnWorkflow, spiff_id: object, data: Mapping[str, Any],
                       run_on: bool = True) -> Task:
    """Complete a READY manual task with the submitted data and run on (`run_on=False`: the steps
    after it are READY, not run; `advance` runs them)."""
    task = _find(workflow, spiff_id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(f"task {spiff_id} is not waiting for a person")
    task.data.update(data)
    task.run()
    if run_on:
        advance(workflow)
    return task


def engine_steps_ready(workflow: BpmnWorkflow) -> list[str]:
    """Element ids of the automatic steps READY to run (a case stopped before a step that failed)."""
    return sorted({t.task_spec.bpmn_id or t.task_spec.name for t in workflow.get_tasks(state=TaskState.READY)
                   if not t.task_spec.manual})


def correct_data(workflow: BpmnWorkflow, changed: Mapping[str, Any], removed: Iterable[str] = ()) -> None:
    """Change the case data as the next steps read it: the data of the tasks READY or WAITING now,
    and of the last completed task (what `current_data` shows)."""
    removed = list(removed)
    holders = list(workflow.get_tasks(state=TaskState.READY | TaskState.WAITING))
    if workflow.last_task is not None:
        holders.append(workflow.last_task)
    for task in holders:
        task.data.update(changed)
        for name in removed:
            task.data.pop(name, None)


def completed_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """The completed BPMN tasks, in the order they completed (pass it on: each look goes
    through the whole task tree)."""
    completed = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id]
    completed.sort(key=lambda t: t.last_state_change)
    return completed



def snapshot_path(workflow: BpmnWorkflow) -> list[str]:
    """Element ids completed so far, in the order they completed."""
    return [t.task_spec.bpmn_id for t in completed_tasks(workflow)]


def snapshot(workflow: BpmnWorkflow, ready_tasks: Iterable[ReadyTask] | None = None,
             completed: list[Task] | None = None) -> Snapshot:
    """What to persist; `ready_tasks` and `completed` (completed_tasks) if the caller has just
    read them and the workflow has not moved since."""
    completed = completed_tasks(workflow) if completed is None else completed
    end = ""
    if workflow.completed:
        ends = [t for t in completed if isinstance(t.task_spec, EndEvent)]
        # the process's own end event; an interrupting event subprocess ends the case at one of its own
        ends = [t for t in ends if t.workflow is workflow] or ends
        end = ends[-1].task_spec.bpmn_id if ends else ""
    return Snapshot(
        state=dump_workflow(workflow),
        completed=workflow.completed,
        ready_tasks=ready_user_tasks(workflow) if ready_tasks is None else tuple(ready_tasks),
        completed_elements=tuple(t.task_spec.bpmn_id for t in completed),
        end_element=end,
        data=current_data(workflow),
    )


def task_data(workflow: BpmnWorkflow, spiff_id: object) -> dict[str, Any] | None:
    task = _find(workflow, spiff_id)
    return dict(task.data) if task is not None else None


def current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    return dict(workflow.data) if workflow.completed else dict(_latest_data(workflow))


def _latest_data(workflow: BpmnWorkflow) -> Any:
    """The case data as the most recently completed task left it."""
    last = workflow.last_task
    if last is not None:
        return last.data
    return workflow.task_tree.data
