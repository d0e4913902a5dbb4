"""Whitelisted service-task handlers: the only side effects a diagram can cause.

A diagram names one with `camunda:topic`; deploy refuses unknown topics. Each
handler runs inside the command that reached the service task, so what it
writes commits or rolls back with the step. The registries (app/services/registries/)
provide the handlers; this table is the whitelist.

A handler returns JSON values only (text, whole and decimal numbers as int/float, booleans,
None, lists, dicts): the audit trail records the result, and the auditor's re-execution
replays that record instead of running the handler again, so the record must be the result
itself (engine_calls.audited_handlers refuses anything else).
"""
from ..registries.consortium import create_consortium
from ..registries.problems import process_tasks as problems

HANDLERS = {
    "create_consortium": create_consortium,
    "register_problem": problems.register,
    "problem_references": problems.references,
    "problem_score_means": problems.score_means,
    "problem_review_items": problems.review_items,
    "problem_review_load": problems.review_load,
    "problem_review_apply": problems.review_apply,
    "problem_review_summary": problems.review_summary,
}


def bound_handlers(instance):
    """The handlers as the engine calls them: with the case data only."""
    return {topic: (lambda data, _h=handler, **_kw: _h(instance, data)) for topic, handler in HANDLERS.items()}
