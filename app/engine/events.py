"""Messages and signals as the engine sees them: their definitions and how they are parsed.

SpiffWorkflow's own message definitions copy the whole task data into a thrown
message (plain BPMN) or evaluate `camunda:expression` with the script engine
(its Camunda flavour). Neither suits us: we name what a message carries, and
every expression goes through the restricted evaluator. So every message and
signal event of a diagram — start, intermediate catch and throw, end, boundary,
receive task, event subprocess start — is parsed into the two classes below
(through the parser's lookup table, `ChainQParser.OVERRIDE_PARSER_CLASSES`).

A throw event says what it sends with camunda:properties on the event:
- `payload`     comma-separated names of case variables sent with it (default: none);
- `businessKey` a restricted expression over the case data naming the receiving
  case's business key (messages only; default: any receiver).
What a receiver catches is merged into the data of the catching task.

Interrupting event subprocesses, which SpiffWorkflow 3.2 runs as if they did not
interrupt, are marked by `EventSubprocessTask.interrupting`; `delivery.settle`
does the interrupting.
"""
from __future__ import annotations

from copy import deepcopy
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
    EventDefinitionParser,
    ReceiveTaskParser,
)
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    CallActivity,
    EndEvent,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ReceiveTask,
    StartEvent,
)
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEndEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaIntermediateThrowEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import SubWorkflowParser

from . import expressions
from .steps import read_properties, split_list

MESSAGE = "message"
SIGNAL = "signal"


class _Carrying:
    """What a thrown event carries: named variables, and for messages the receiver's business key.

    The payload is a plain dict (it may rest in a task's internal data, which is serialized):
    `{"element": throw event id, "variables": {...}, "business_key": str | None}`."""
    payload_names: tuple[str, ...]
    business_key: str

    def payload_of(self, my_task: Any) -> dict[str, Any]:
        data = my_task.data
        variables = {name: deepcopy(data[name]) for name in self.payload_names if name in data}
        key = None
        if self.business_key:
            key = str(expressions.evaluate(expressions.unwrap(self.business_key), dict(data)))
        return {"element": my_task.task_spec.bpmn_id, "variables": variables, "business_key": key}

    def merge_payload(self, my_task: Any, payload: Any) -> None:
        if isinstance(payload, dict) and isinstance(payload.get("variables"), dict):
            my_task.set_data(**payload["variables"])


# SpiffWorkflow has no type information: its classes are Any to mypy, hence the ignores on subclassing.
class Message(_Carrying, MessageEventDefinition):  # type: ignore[misc]
    """A named message. BPMN correlation properties are not used: the services correlate
    by business key and case variables (app/services/workflow/messages.py)."""

    def __init__(self, name: str, payload_names: tuple[str, ...] = (), business_key: str = "",
                 **kwargs: Any) -> None:
        super().__init__(name, [], **kwargs)
        self.payload_names, self.business_key = payload_names, business_key

    def throw(self, my_task: Any) -> None:
        my_task.workflow.top_workflow.catch(BpmnEvent(self, payload=self.payload_of(my_task)))

    def update_internal_data(self, my_task: Any, event: Any) -> None:
        my_task.internal_data[self.name] = event.payload

    def update_task_data(self, my_task: Any) -> None:
        self.merge_payload(my_task, my_task.internal_data.get(self.name))


class Signal(_Carrying, SignalEventDefinition):  # type: ignore[misc]
    """A named signal: every waiting receiver catches it (broadcast)."""

    def __init__(self, name: str, payload_names: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.payload_names, self.business_key = payload_names, ""

    def throw(self, my_task: Any) -> None:
        my_task.workflow.top_workflow.catch(BpmnEvent(self, payload=self.payload_of(my_task)))

    def update_task_data(self, my_task: Any) -> None:
        self.merge_payload(my_task, my_task.internal_data.get(self.name))


def event_for(kind: str, name: str, variables: dict[str, Any] | None = None,
              source: str = "") -> Any:
    """A BpmnEvent to hand to `BpmnWorkflow.catch`, as if thrown by `source`."""
    definition = Message(name) if kind == MESSAGE else Signal(name)
    return BpmnEvent(definition, payload={"element": source, "variables": dict(variables or {}),
                                          "business_key": None})


def _named(parser: Any, ref_attribute: str, registry: dict[str, str], event: etree._Element) -> str:
    ref = event.get(ref_attribute)
    if ref:
        name = registry.get(ref)
        if name is None:
            parser.raise_validation_exception(f"{ref_attribute} '{ref}' names no declared element", node=event)
        return str(name)
    owner = event.getparent()
    return str(owner.get("name") or "") if owner is not None else ""


class _EventParsing(EventDefinitionParser):  # type: ignore[misc]
    """Reads message and signal definitions into our classes, with the event's properties."""

    def _carried(self) -> tuple[tuple[str, ...], str]:
        properties = read_properties(self.node)
        return tuple(split_list(properties.get("payload"))), properties.get("businessKey", "")

    def parse_message_event(self, message_event: etree._Element) -> Message:
        name = _named(self, "messageRef", self.process_parser.parser.messages, message_event)
        payload, key = self._carried()
        return Message(name, payload, key, description="Message")

    def parse_signal_event(self, signal_event: etree._Element) -> Signal:
        name = _named(self, "signalRef", self.process_parser.parser.signals, signal_event)
        return Signal(name, self._carried()[0], description="Signal")


class StartEventParser(_EventParsing, CamundaStartEventParser):  # type: ignore[misc]
    pass


class EndEventParser(_EventParsing, CamundaEndEventParser):  # type: ignore[misc]
    """The library's end event parser leaves out signals: a signal end event would throw nothing."""

    def create_task(self) -> Any:
        task = self._create_task(self.get_event_definition(
            [MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH,
             ESCALATION_EVENT_XPATH, TERMINATION_EVENT_XPATH]))
        task.connect(self.spec.end)
        return task


class IntermediateCatchEventParser(_EventParsing, CamundaIntermediateCatchEventParser):  # type: ignore[misc]
    pass


class IntermediateThrowEventParser(_EventParsing, CamundaIntermediateThrowEventParser):  # type: ignore[misc]
    pass


class BoundaryEventParser(_EventParsing, CamundaBoundaryEventParser):  # type: ignore[misc]
    pass


class ChainQReceiveTaskParser(_EventParsing, ReceiveTaskParser):  # type: ignore[misc]
    pass


class EventSubprocessTask(CallActivity):  # type: ignore[misc]
    """An event subprocess (`triggeredByEvent="true"`); `interrupting` as in the diagram."""

    def __init__(self, wf_spec: Any, bpmn_id: str, subworkflow_spec: str, interrupting: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, subworkflow_spec, **kwargs)
        self.interrupting = interrupting


class EventSubprocessParser(SubWorkflowParser):  # type: ignore[misc]
    """Embedded subprocesses as the Camunda parser reads them; event subprocesses as ours."""

    def create_task(self) -> Any:
        if self.node.get("triggeredByEvent") != "true":
            return super().create_task()
        start = self.node.find(f"{{{etree.QName(self.node).namespace}}}startEvent")
        interrupting = start is None or start.get("isInterrupting", "true") != "false"
        return EventSubprocessTask(self.spec, self.bpmn_id, SubprocessParser.get_subprocess_spec(self),
                                   interrupting, **self.bpmn_attributes)


# BPMN tag -> (parser, task spec class), for the parser's lookup table
PARSERS = {"startEvent": (StartEventParser, StartEvent), "endEvent": (EndEventParser, EndEvent),
           "intermediateCatchEvent": (IntermediateCatchEventParser, IntermediateCatchEvent),
           "intermediateThrowEvent": (IntermediateThrowEventParser, IntermediateThrowEvent),
           "boundaryEvent": (BoundaryEventParser, BoundaryEvent),
           "receiveTask": (ChainQReceiveTaskParser, ReceiveTask),
           "subProcess": (EventSubprocessParser, CallActivity)}
