"""Calling the engine from a command: failures become clear, rolled-back errors, and
service tasks are recorded in the audit trail."""
import json

from flask_babel import gettext as _
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from ...engine.errors import ExpressionError, ServiceCallError
from ...engine.runner import TaskNotReady
from ..audit import trail as audit
from ..errors import Conflict, ServiceError
from . import definitions
from .handlers import bound_handlers


class ProcessFailed(ServiceError):
    """The engine could not continue (a failing condition or service task); nothing was saved."""
    status = 422


def audited_handlers(ctx, instance, actor):
    """Whitelisted handlers bound to this instance, each call recorded in the audit trail (after
    the event of the step that set it off: audit.record_after_next)."""
    def wrap(topic, handler):
        def call(data, element="", **kwargs):
            result = handler(data, **kwargs)
            try:
                json.dumps(result, allow_nan=False)
            except (TypeError, ValueError):
                raise ServiceCallError(f"service '{topic}' returned a value the audit trail cannot record as "
                                       "it is (JSON values only)") from None
            names = definitions.compiled_by_id(instance.definition_id).element_names
            audit.record_after_next(ctx, "service_task_completed", actor=actor, instance_id=instance.id,
                                    element_id=element, element_name=names.get(element, element),
                                    data={"topic": topic, "result": result})
            return result
        return call
    return {topic: wrap(topic, h) for topic, h in bound_handlers(instance).items()}


def _cause(exc, kinds):
    seen = exc
    while seen is not None:
        if isinstance(seen, kinds):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def failing_element(exc):
    """The BPMN id of the step a library error names (on its task spec or its task), or ""."""
    return getattr(getattr(exc, "task_spec", None), "bpmn_id", None) or \
        getattr(getattr(getattr(exc, "task", None), "task_spec", None), "bpmn_id", None) or ""


def run_engine(step):
    """Run an engine call, turning engine failures into a clear, rolled-back error."""
    try:
        return step()
    except TaskNotReady:
        # the step is not where this command expected it: another action moved the case first
        raise Conflict(_("The case has moved on since this was offered (a step was withdrawn, taken back or "
                         "decided); reload it.")) from None
    except (WorkflowException, ExpressionError, ServiceCallError, TypeError) as exc:
        # TypeError: SpiffWorkflow lets some of a diagram's run-time faults through unwrapped (a
        # multi-instance step whose collection is not in the case data); the case stays where it was
        database_error = _cause(exc, (StaleDataError, DBAPIError))
        if database_error is not None:
            raise database_error from None   # a race lost inside a service task: the command reports a conflict
        refused = _cause(exc, ServiceError)
        if refused is not None:
            raise refused from None          # a registry refused what the step asked (naming the field): say so
        element = failing_element(exc)
        raise ProcessFailed(_("The process could not continue at step '%(element)s': %(reason)s",
                              element=element or "?", reason=str(exc).split("\n")[0])) from exc
