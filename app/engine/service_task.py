"""Service tasks: the only way a diagram causes a side effect.

A `bpmn:serviceTask` names a handler with `camunda:topic` (Camunda's external
task attribute, so the modeler can edit it). At run time the restricted script
engine dispatches the topic to a handler the caller whitelisted; a handler may
return a dict that is merged into the task data.
"""
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser

from .steps import CAMUNDA_NS


class TopicServiceTask(ServiceTask):
    def __init__(self, wf_spec, bpmn_id, topic="", **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic

    def _run_hook(self, task):
        result = task.workflow.script_engine.call_service(task, topic=self.topic, element=self.bpmn_id)
        if isinstance(result, dict):
            task.data.update(result)
        return True


class TopicServiceTaskParser(CamundaTaskParser):
    def create_task(self):
        topic = self.node.get(f"{{{CAMUNDA_NS}}}topic", "")
        return self.spec_class(self.spec, self.bpmn_id, topic=topic, **self.bpmn_attributes)
