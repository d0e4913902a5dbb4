"""Whitelisted service-task handlers: the only side effects a diagram can cause.

A diagram names one with `camunda:topic`; deploy refuses unknown topics. Each
handler runs inside the command that reached the service task, so what it
writes commits or rolls back with the step. The registries (app/services/registries/)
provide the handlers; this table is the whitelist.
"""
from ..registries.consortium import create_consortium
from ..registries.problems.commands import register_problem_task

HANDLERS = {
    "create_consortium": create_consortium,
    "register_problem": register_problem_task,
}


def bound_handlers(instance):
    """The handlers as the engine calls them: with the case data only."""
    return {topic: (lambda data, _h=handler, **_kw: _h(instance, data)) for topic, handler in HANDLERS.items()}
