"""Moving a running workflow to another version of its process, with SpiffWorkflow's own
migration support (`SpiffWorkflow.bpmn.util.diff`: `SpecDiff`, `WorkflowDiff`, `migrate_workflow`).

`SpecDiff` aligns the old version's task specs with the new version's by element id (its guesses
from the surrounding structure are dropped: see `_spec_diff`). An administrator names further pairs
(`mapping`: old element id -> new element id), written into the diff's documented `alignment`
before the workflow diff is taken. A workflow can move when every element it is at now (its
READY and WAITING tasks) has a counterpart in the target; `migrate_workflow` then swaps the
specs, and resets and re-predicts the waiting branches. Timers the case waits at keep the
moment they were due (the reset would count them again from now).

Also here: whether a step's form changed in a way a case at that step cannot carry over
(`form_incompatibilities`). Pure: no Flask, no database.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import TaskState

from .runner import advance
from .serializer import spec_registry

if TYPE_CHECKING:
    from .compiler import CompiledDefinition

ACTIVE = TaskState.READY | TaskState.WAITING


@dataclass(frozen=True)
class Obstacle:
    """Why a case cannot move: `code` (missing_element, missing_subprocess, unknown_mapping,
    required_field_added, field_type_changed), the element concerned and a detail (a field name)."""
    code: str
    element_id: str
    detail: str = ""


@dataclass
class _Diffs:
    top: WorkflowDiff
    subprocesses: dict[Any, tuple[Any, WorkflowDiff | None, Any]]   # subprocess id -> (workflow, diff, new spec)


def current_elements(workflow: BpmnWorkflow) -> list[str]:
    """Element ids of the tasks the case is at now (READY or WAITING), in its subprocesses too."""
    found = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=ACTIVE) if t.task_spec.bpmn_id]
    return sorted(dict.fromkeys(found))


def check_mapping(source: CompiledDefinition, target: CompiledDefinition,
                  mapping: Mapping[str, str]) -> list[Obstacle]:
    """A mapping names an element of the source and one of the target."""
    problems = []
    for old, new in mapping.items():
        if _spec_named(source, old) is None:
            problems.append(Obstacle("unknown_mapping", old, "source"))
        if _spec_named(target, new) is None:
            problems.append(Obstacle("unknown_mapping", new, "target"))
    return problems


def _spec_named(definition: CompiledDefinition, element_id: str) -> Any:
    for spec in (definition.spec, *definition.subprocess_specs.values()):
        if element_id in spec.task_specs:
            return spec.task_specs[element_id]
    return None


def _with_derived(spec: Any, mapping: Mapping[str, str]) -> dict[str, str]:
    """The mapping with the specs the parser derives from an element's id (a task with boundary
    events has `<id>.BoundaryEventSplit` and `<id>.BoundaryEventJoin`) mapped alike."""
    full = dict(mapping)
    for name in spec.task_specs:
        stem, dot, rest = name.partition(".")
        if dot and stem in mapping and name not in full:
            full[name] = f"{mapping[stem]}.{rest}"
    return full


def _spec_diff(old_spec: Any, new_spec: Any, mapping: Mapping[str, str]) -> SpecDiff:
    """The library's diff, aligned by element id and by the administrator's mapping only.

    For an id that is gone, `SpecDiff` guesses a counterpart from the surrounding structure; the
    guess can be a different step (a renamed task followed by a new one is aligned with the new
    one), which would move the case to a step it never reached. A renamed element is named in the
    mapping instead, and the dry run says so."""
    diff = SpecDiff(spec_registry(), old_spec, new_spec)
    full = _with_derived(old_spec, mapping)
    for spec, aligned in list(diff.alignment.items()):
        if aligned is not None and aligned.name != spec.name and spec.name not in full:
            diff.alignment[spec] = None
            diff.added.append(aligned)
    for old, new in full.items():
        if old in old_spec.task_specs and new in new_spec.task_specs:
            aligned = new_spec.task_specs[new]
            diff.alignment[old_spec.task_specs[old]] = aligned
            if aligned in diff.added:
                diff.added.remove(aligned)
    return diff


def _diffs(workflow: BpmnWorkflow, target: CompiledDefinition, mapping: Mapping[str, str]) -> _Diffs:
    top = WorkflowDiff(workflow, _spec_diff(workflow.spec, target.spec, mapping))
    subprocesses: dict[Any, tuple[Any, WorkflowDiff | None, Any]] = {}
    for sp_id, sub in workflow.subprocesses.items():
        new_spec = target.subprocess_specs.get(sub.spec.name)
        diff = WorkflowDiff(sub, _spec_diff(sub.spec, new_spec, mapping)) if new_spec is not None else None
        subprocesses[sp_id] = (sub, diff, new_spec)
    return _Diffs(top, subprocesses)


def obstacles(workflow: BpmnWorkflow, target: CompiledDefinition, mapping: Mapping[str, str]) -> list[Obstacle]:
    """What keeps this workflow from moving to `target` (empty: it can move)."""
    diffs = _diffs(workflow, target, mapping)
    found = _removed(diffs.top)
    for sub, diff, _spec in diffs.subprocesses.values():
        if diff is None:
            if sub.get_tasks(state=ACTIVE):
                found.append(Obstacle("missing_subprocess", sub.spec.name))
            continue
        found += _removed(diff)
    at = {o.element_id for o in found if o.code == "missing_element"}
    return list(dict.fromkeys(o for o in found if not (o.code == "passed_element_missing" and o.element_id in at)))


def _removed(diff: WorkflowDiff) -> list[Obstacle]:
    """The case is at an element the target lacks; or it passed one (its history must keep a spec
    of the target: a renamed element needs the mapping). Predicted tasks are predicted again."""
    found = []
    for task in diff.removed:
        element = task.task_spec.bpmn_id or task.task_spec.name.partition(".")[0]
        if task.state & ACTIVE:
            found.append(Obstacle("missing_element", element))
        elif task.state & TaskState.FINISHED_MASK:
            found.append(Obstacle("passed_element_missing", element))
    return found


class MigrationFailed(RuntimeError):
    """The migrated workflow still holds a task of the old version (nothing should be saved)."""


def migrate(workflow: BpmnWorkflow, target: CompiledDefinition, mapping: Mapping[str, str]) -> None:
    """Move the workflow to `target` (check `obstacles` first: they must be none)."""
    timers = {t.id: t.internal_data.get("event_value") for t in workflow.get_tasks(state=TaskState.WAITING)
              if t.internal_data.get("event_value") is not None}
    diffs = _diffs(workflow, target, mapping)
    migrate_workflow(diffs.top, workflow, target.spec)
    for sub, diff, new_spec in diffs.subprocesses.values():
        if diff is not None:
            migrate_workflow(diff, sub, new_spec)
    workflow.subprocess_specs = dict(target.subprocess_specs)
    for task in workflow.get_tasks(state=TaskState.WAITING | TaskState.FUTURE | TaskState.READY):
        if task.id in timers:       # the reset counted the timer again from now: keep its due moment
            task.internal_data["event_value"] = timers[task.id]
    owned = {id(spec) for each in (target.spec, *target.subprocess_specs.values())
             for spec in each.task_specs.values()}
    stale = sorted({t.task_spec.name for t in workflow.get_tasks() if id(t.task_spec) not in owned})
    if stale:
        raise MigrationFailed(f"tasks of elements the target version lacks remain: {', '.join(stale)}")
    advance(workflow)


def form_incompatibilities(element_id: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None,
                           data: Mapping[str, Any]) -> list[Obstacle]:
    """How a step's JSON Schema form changed so that a case waiting at the step cannot carry on:
    a required field added that the case has no value for, or a field whose type changed."""
    old, new = old or {}, new or {}
    old_fields, new_fields = old.get("properties") or {}, new.get("properties") or {}
    found = []
    for name in new.get("required") or ():
        if name not in (old.get("required") or ()) and data.get(name) in (None, ""):
            found.append(Obstacle("required_field_added", element_id, str(name)))
    for name, schema in new_fields.items():
        before = old_fields.get(name)
        if isinstance(before, Mapping) and isinstance(schema, Mapping) and before.get("type") != schema.get("type"):
            found.append(Obstacle("field_type_changed", element_id, str(name)))
    return found
