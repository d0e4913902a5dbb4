"""Workflow state serialization that stores a reference to the spec instead of
the spec itself (about half the bytes and most of the load time).

The spec comes back from the compiled-definition cache: the caller passes the
`CompiledDefinition` the instance is pinned to.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter, SubWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from .business_rule_task import DecisionTask, DecisionTaskConverter
from .events import EventSubprocessTask, Message, Signal
from .service_task import TopicServiceTask

if TYPE_CHECKING:
    from .compiler import CompiledDefinition


# SpiffWorkflow has no type information: its classes are Any to mypy, hence the ignore on subclassing.
class SpecReferenceWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["spec_ref"] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], definition: CompiledDefinition | None = None) -> BpmnWorkflow:
        assert definition is not None, "a workflow is restored with the definition it is pinned to"
        workflow = self.target_class(definition.spec, definition.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _event_definition(kind: type, dct: dict[str, Any]) -> Any:
    if kind is Message:
        return Message(dct["name"], tuple(dct["payload_names"]), dct["business_key"])
    return Signal(dct["name"], tuple(dct["payload_names"]))


def _build_serializer() -> BpmnWorkflowSerializer:
    config = dict(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = SpecReferenceWorkflowConverter
    # Specs are referenced, never serialized; the registry still wants every spec class known.
    config[TopicServiceTask] = BpmnTaskSpecConverter
    config[DecisionTask] = DecisionTaskConverter
    config[EventSubprocessTask] = SubWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # A thrown message waits in the workflow until the services take it (delivery.thrown); should a
    # workflow be saved before that, the message is kept, not lost.
    for kind in (Message, Signal):
        registry.register(kind, lambda d: {"name": d.name, "payload_names": list(d.payload_names),
                                           "business_key": d.business_key},
                          lambda d, kind=kind: _event_definition(kind, d))
    # Decision results and exact form numbers are Decimal; their text keeps every digit ("3.30").
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]))
    return BpmnWorkflowSerializer(registry)


_SERIALIZER = _build_serializer()


def spec_registry() -> Any:
    """The serializer's converter registry (SpiffWorkflow's spec diff compares specs through it)."""
    return _SERIALIZER.registry


def dump_workflow(workflow: BpmnWorkflow) -> str:
    state: str = _SERIALIZER.serialize_json(workflow)
    return state


def load_workflow(state: str, definition: CompiledDefinition) -> BpmnWorkflow:
    dct = json.loads(state)
    _SERIALIZER.migrate(dct)
    return _SERIALIZER.registry.restore(dct, definition=definition)
