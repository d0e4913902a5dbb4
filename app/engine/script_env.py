"""The script environment SpiffWorkflow runs with.

SpiffWorkflow's default environment is eval/exec with full builtins and it is
not serialized, so `install_safe_engine` must be called after every load.
Conditions and timers go to the restricted evaluator; scripts are refused;
service tasks reach only the handlers the caller whitelists.
"""
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from . import expressions
from .errors import ServiceCallError


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, services=None):
        super().__init__({})
        self.services = dict(services or {})

    def evaluate(self, expression, context, external_context=None):
        merged = dict(external_context or {})
        merged.update(context)
        return expressions.evaluate(expression, merged)

    def execute(self, script, context, external_context=None):
        raise ServiceCallError("scripts are not allowed in ChainQ diagrams")

    def call_service(self, context, topic=None, **kwargs):
        handler = self.services.get(topic)
        if handler is None:
            raise ServiceCallError(f"service '{topic}' is not whitelisted")
        return handler(context, **kwargs)


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self, services=None):
        super().__init__(environment=RestrictedEnvironment(services))

    def validate(self, expression):
        problems = expressions.check_expression(expression)
        if problems:
            raise expressions.ExpressionError("; ".join(problems))

    def call_service(self, task, **kwargs):
        # The library's own version hides the real error behind a NameError (3.2.0).
        try:
            return self.environment.call_service(task.data, **kwargs)
        except ServiceCallError:
            raise
        except Exception as exc:
            raise WorkflowTaskException(f"service task failed: {type(exc).__name__}: {exc}",
                                        task=task, exception=exc) from exc


def install_safe_engine(workflow, services=None):
    """Give a (freshly created or loaded) workflow the restricted script engine."""
    engine = RestrictedScriptEngine(services)
    workflow.script_engine = engine  # subprocesses delegate to the top workflow
    return engine
