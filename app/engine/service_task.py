"""Service tasks: the only way a diagram causes a side effect.

A `bpmn:serviceTask` names a handler with `camunda:topic` (Camunda's external
task attribute, so the modeler can edit it). At run time the restricted script
engine dispatches the topic to a handler the caller whitelisted; a handler may
return a dict that is merged into the task data.
"""
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser

from .steps import CAMUNDA_NS


# SpiffWorkflow has no type information: its classes are Any to mypy, hence the ignores on subclassing.
class TopicServiceTask(ServiceTask):  # type: ignore[misc]
    def __init__(self, wf_spec: Any, bpmn_id: str, topic: str = "", **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic

    def _run_hook(self, task: Any) -> bool:
        result = task.workflow.script_engine.call_service(task, topic=self.topic, element=self.bpmn_id)
        if isinstance(result, dict):
            task.data.update(result)
        return True


class TopicServiceTaskParser(CamundaTaskParser):  # type: ignore[misc]
    def create_task(self) -> TopicServiceTask:
        topic = self.node.get(f"{{{CAMUNDA_NS}}}topic", "")
        task: TopicServiceTask = self.spec_class(self.spec, self.bpmn_id, topic=topic, **self.bpmn_attributes)
        return task
