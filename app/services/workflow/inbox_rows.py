"""The inbox rows of a case: one `human_task` per approver of a READY user task, and the
`task_candidate` rows that let a group's members find a task they may claim."""
from flask_babel import gettext as _
from sqlalchemy import delete, insert

from ...engine import deadlines, expressions
from ...models import HumanTask, TaskCandidate
from ...models.states import TaskStatus
from ..audit import trail as audit
from ..errors import ValidationFailed
from ..notify import notifications
from . import calendar, timer_jobs
from .approval.modes import MODES


def resolve_names(templates, data):
    """Candidate templates -> names. `${expr}` giving a list (chosen approvers) yields each item;
    a text with commas yields each part."""
    names = []
    for template in templates:
        pure = expressions.expressions_in(template)
        if len(pure) == 1 and template.strip() == "${" + pure[0] + "}":
            value = expressions.evaluate(pure[0], data)
            parts = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
        else:
            parts = expressions.interpolate(template, data).split(",")
        names.extend(str(p).strip() for p in parts if str(p).strip())
    return list(dict.fromkeys(names))


def group_members(ctx, group_keys):
    """Active user names in the given groups, in a stable order."""
    return [member.username for member in ctx.members.of_groups(group_keys)]


def active_user(ctx, username):
    """The active user of that name, or a validation error naming the field `user`."""
    user = ctx.members.user_named(username)
    if user is None or not user.active:
        raise ValidationFailed(_("Unknown user."), {"user": [_("No active user named %(name)s.", name=username)]})
    return user


def new_task_row(ctx, instance, compiled, ready, actor, *, assignee=None, groups=(), users=(), mode="single",
                 slot=0, plan=None, fallback=False, visit_of=None, unresolved_reason=None):
    """One inbox row for a READY user task (several for steps with several approvers). `visit_of`: a
    row of the visit this row joins (the next approver in sequence, an added signer); without it
    the row opens a new visit of the step."""
    step = compiled.steps.get(ready.element_id)
    task = HumanTask(
        instance=instance, spiff_task_id=ready.spiff_id, element_id=ready.element_id,
        name=ready.name, form_key=step.form_key if step else "", status=TaskStatus.OPEN,
        candidate_groups=",".join(groups), candidate_users=",".join(users),
        assignee_id=assignee.id if assignee else None, process_key=instance.process_key,
        process_name=compiled.name, instance_title=instance.title, applicant=instance.applicant,
        business_key=instance.business_key, returned=ready.data.get("decision") == "return",
        district=instance.district, created_at=ctx.now, step_mode=mode, slot=slot, plan=plan,
        visit_opened_at=visit_of.visit_opened_at if visit_of is not None else ctx.now,
        due_at=deadlines.due_at(step.due_date, ready.data, timer_jobs.now(), step.due_in_working_days,
                                calendar.working_days_of(ctx)) if step else None)
    ctx.session.add(task)
    ctx.session.flush()          # its id: the candidate rows, the audit event and the notifications name it
    timer_jobs.schedule_task_due(ctx, task, step)
    if task.assignee_id is None:
        open_candidates(ctx, task)
    audit.record(ctx, "task_created", actor=actor, instance_id=instance.id, element_id=task.element_id,
                 element_name=task.name, task_id=task.id, data={
                     "assignee": assignee.username if assignee else None, "candidate_groups": list(groups),
                     "candidate_users": list(users), "unresolved_fallback": fallback, "mode": mode,
                     "slot": slot, "plan": plan, "due_at": task.due_at.isoformat() if task.due_at else None,
                     **({"unresolved_reason": unresolved_reason} if unresolved_reason else {})})
    notifications.task_arrived(ctx, task, notifications.Name(task.name, compiled.element_names_en.get(task.element_id)),
                               assignee, groups, users)
    return task


def open_step_rows(ctx, instance, compiled, ready, actor, mode, approvers):
    """The rows of a step with several approvers, as its mode opens it (sequential: the first only)."""
    for slot, username in enumerate(MODES[mode].first_approvers(approvers)):
        new_task_row(ctx, instance, compiled, ready, actor, assignee=active_user(ctx, username), mode=mode,
                     slot=slot, plan=list(approvers))


def open_candidates(ctx, task):
    """Candidate rows for a claimable task (open, nobody assigned), from the candidates stored on it."""
    candidates = [{"task_id": task.id, "group_key": group, "user_id": None, "task_created_at": task.created_at}
                  for group in filter(None, task.candidate_groups.split(","))]
    candidates += [{"task_id": task.id, "group_key": None, "user_id": member.id, "task_created_at": task.created_at}
                   for member in ctx.members.by_names(filter(None, task.candidate_users.split(",")))]
    if candidates:
        ctx.session.execute(insert(TaskCandidate), candidates)


def close_candidates(ctx, task):
    """Candidate rows exist only while a task is claimable: claim, completion and cancellation delete them.
    A task offered to no group or user never had any (a named assignee's task)."""
    if task.candidate_groups or task.candidate_users:
        ctx.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id))


def close_task(ctx, task):
    """A task leaves the inbox for good (completed or cancelled): no candidates, no pending deadline."""
    close_candidates(ctx, task)
    if task.due_at is not None:
        timer_jobs.cancel_task_jobs(ctx, task)
