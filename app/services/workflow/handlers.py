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
from ..registries.achievements import (
    admission_tasks as achievements,
    case_end as achievement_case_end,
    licence_tasks as licences,
    sharing_tasks as sharing,
)
from ..registries.consortium import create_consortium
from ..registries.problems import process_tasks as problems
from ..registries.projects import (
    case_end as project_case_end,
    due_checks as project_due_checks,
    process_tasks as projects,
)

HANDLERS = {
    "create_consortium": create_consortium,
    "register_problem": problems.register,
    "problem_references": problems.references,
    "problem_score_means": problems.score_means,
    "problem_review_items": problems.review_items,
    "problem_review_load": problems.review_load,
    "problem_review_apply": problems.review_apply,
    "problem_review_summary": problems.review_summary,
    "project_propose": projects.propose,
    "project_approve": projects.approve,
    "project_reject": projects.reject,
    "project_task_book_check": projects.check_book,
    "project_freeze_task_book": projects.freeze_book,
    "project_next_report": projects.next_report,
    "project_record_report": projects.record_report,
    "project_record_midterm": projects.record_midterm,
    "project_rectified": projects.rectified,
    "project_apply_acceptance": projects.apply_acceptance,
    "project_record_acceptance": projects.record_acceptance,
    "project_archive": projects.archive,
    "project_apply_change": projects.apply_change,
    "project_team_risk": projects.team_risk,
    "project_risk_handled": projects.risk_handled,
    **achievements.TOPICS,
    "licence_record": licences.record,
    "licence_revise": licences.revise,
    "licence_accept": licences.accept,
    "licence_confirm_licensee": licences.confirm_licensee,
    "licence_confirm_licensor": licences.confirm_licensor,
    "licence_register": licences.register,
    "licence_refuse": licences.refuse,
    "licence_expire": licences.expire,
    **sharing.TOPICS,
}

# A step with `timeoutPolicy=alert` names a rule (`riskRule`); when its due time passes with the
# task open, the registry's hook raises the alert: hook(ctx, instance, task, moment, task data).
# (The registries provide them here, as they provide HANDLERS, so that workflow code never
# imports a registry's internals and no registry imports the workflow.)
ALERT_HOOKS = {
    "report_missing": project_due_checks.report_missing,
    "rectification_overdue": project_due_checks.rectification_overdue,
}

# Timer jobs of kinds a registry writes itself: hook(ctx, job, instance or None, moment).
JOB_HOOKS = {
    project_due_checks.JOB_KIND: project_due_checks.milestone_due,
}


# A case that ends before its end event (an administrator terminates it, its initiator cancels it:
# operations/early_end.py) closes the library records it carries in the same command, under the case's
# row lock: hook(ctx, instance, reason). Records are found by the case (their `instance_id`), whatever
# the process, so a new diagram that writes them is covered too.
CASE_END_HOOKS = (achievement_case_end.close, project_case_end.close)

# Before an initiator cancels: refusal(session, instance) -> why the case is decided already (its
# records say so: a grant given, a licence in force, an achievement published, a project approved), or None.
CANCEL_REFUSALS = (achievement_case_end.refusal, project_case_end.refusal)


def bound_handlers(instance):
    """The handlers as the engine calls them: with the case data only."""
    return {topic: (lambda data, _h=handler, **_kw: _h(instance, data)) for topic, handler in HANDLERS.items()}
