"""The script environment SpiffWorkflow runs with.

SpiffWorkflow's default environment is eval/exec with full builtins and it is
not serialized, so `install_safe_engine` must be called after every load.
Conditions and timers go to the restricted evaluator; scripts are refused;
service tasks reach only the handlers the caller whitelists.
"""
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import expressions
from .errors import ExpressionError, ServiceCallError

# A whitelisted service-task handler: called with the task data and keyword arguments
# (topic, element); a dict it returns is merged into the task data.
ServiceHandler = Callable[..., Any]


# SpiffWorkflow has no type information: its classes are Any to mypy, hence the ignores on subclassing.
class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    def __init__(self, services: Mapping[str, ServiceHandler] | None = None) -> None:
        super().__init__({})
        self.services = dict(services or {})

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        merged = dict(external_context or {})
        merged.update(context)
        return expressions.evaluate(expression, merged)

    def execute(self, script: str, context: Mapping[str, Any],
                external_context: Mapping[str, Any] | None = None) -> NoReturn:
        raise ServiceCallError("scripts are not allowed in ChainQ diagrams")

    def call_service(self, context: Mapping[str, Any], topic: str | None = None, **kwargs: Any) -> Any:
        handler = self.services.get(topic) if topic is not None else None
        if handler is None:
            raise ServiceCallError(f"service '{topic}' is not whitelisted")
        return handler(context, **kwargs)


class RestrictedScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    def __init__(self, services: Mapping[str, ServiceHandler] | None = None) -> None:
        super().__init__(environment=RestrictedEnvironment(services))

    def validate(self, expression: str) -> None:
        problems = expressions.check_expression(expression)
        if problems:
            raise ExpressionError("; ".join(problems))

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        # The library's own version hides the real error behind a NameError (3.2.0).
        try:
            return self.environment.call_service(task.data, **kwargs)
        except ServiceCallError:
            raise
        except Exception as exc:
            raise WorkflowTaskException(f"service task failed: {type(exc).__name__}: {exc}",
                                        task=task, exception=exc) from exc


def install_safe_engine(workflow: Any, services: Mapping[str, ServiceHandler] | None = None) -> RestrictedScriptEngine:
    """Give a (freshly created or loaded) workflow the restricted script engine."""
    engine = RestrictedScriptEngine(services)
    workflow.script_engine = engine  # subprocesses delegate to the top workflow
    return engine
