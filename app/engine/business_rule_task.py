"""Business-rule tasks: a `bpmn:businessRuleTask` evaluates a DMN decision.

Written as Camunda 7 writes it, so the modeler edits it::

    <bpmn:businessRuleTask id="grade_problem" camunda:decisionRef="problem_severity"
        camunda:resultVariable="severity" camunda:mapDecisionResult="singleResult" />

The decision is evaluated by `dmn.evaluate` (not SpiffWorkflow's DMN engine) over
the task's data, and the result, shaped by mapDecisionResult (default
resultList), is stored in the task data under resultVariable. The task spec holds
the DMN document it was compiled with, so a running case keeps its rules for as
long as it is pinned to that definition; if a spec is ever serialized, the DMN
source travels with it.
"""
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser

from .dmn.evaluate import decide
from .dmn.model import DmnDocument
from .dmn.parser import parse_dmn
from .errors import DecisionError
from .steps import CAMUNDA_NS

DEFAULT_MAPPING = "resultList"


# SpiffWorkflow has no type information: its classes are Any to mypy, hence the ignores on subclassing.
class DecisionTask(BpmnSpecMixin):  # type: ignore[misc]
    def __init__(self, wf_spec: Any, bpmn_id: str, decision_ref: str = "", result_variable: str = "",
                 map_result: str = DEFAULT_MAPPING, document: DmnDocument | None = None, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision_ref = decision_ref
        self.result_variable = result_variable
        self.map_result = map_result
        self.document = document

    def _run_hook(self, task: Any) -> bool:
        if self.document is None:
            raise WorkflowTaskException(f"decision '{self.decision_ref}' was not compiled into the definition",
                                        task=task)
        try:
            result = decide(self.document, self.decision_ref, task.data, self.map_result)
        except DecisionError as exc:
            raise WorkflowTaskException(f"business rule task failed: {exc}", task=task, exception=exc) from exc
        task.data[self.result_variable] = result
        return True


class DecisionTaskParser(CamundaTaskParser):  # type: ignore[misc]
    @staticmethod
    def get_decision_ref(node: Any) -> str:
        """The hook BpmnDmnParser calls to list a diagram's DMN dependencies."""
        ref: str = node.get(f"{{{CAMUNDA_NS}}}decisionRef", "")
        return ref

    def create_task(self) -> DecisionTask:
        decision_ref = self.get_decision_ref(self.node)
        document = self.process_parser.parser.decisions.get(decision_ref)
        if document is None:     # compile_definition checks first; this guards other callers
            self.raise_validation_exception(f"decision '{decision_ref}' is not among the given decisions")
        task: DecisionTask = self.spec_class(
            self.spec, self.bpmn_id, decision_ref=decision_ref,
            result_variable=self.node.get(f"{{{CAMUNDA_NS}}}resultVariable", ""),
            map_result=self.node.get(f"{{{CAMUNDA_NS}}}mapDecisionResult") or DEFAULT_MAPPING,
            document=document, **self.bpmn_attributes)
        return task


class DecisionTaskConverter(BpmnTaskSpecConverter):  # type: ignore[misc]
    """Serializes a DecisionTask spec with the DMN source it was compiled with. (ChainQ stores
    workflow state with a spec reference; this keeps a full spec dump correct all the same.)"""

    def to_dict(self, spec: DecisionTask) -> dict[str, Any]:
        dct: dict[str, Any] = self.get_default_attributes(spec)
        dct.update(decision_ref=spec.decision_ref, result_variable=spec.result_variable,
                   map_result=spec.map_result,
                   dmn_source=spec.document.source if spec.document else None,
                   dmn_filename=spec.document.filename if spec.document else None)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> DecisionTask:
        source, filename = dct.pop("dmn_source", None), dct.pop("dmn_filename", None)
        dct["document"] = parse_dmn(source, filename) if source else None
        restored: DecisionTask = self.task_spec_from_dict(dct)
        return restored
