"""Change requests (standard 5.5.4c): a major change of goal, content, person in charge or period
takes effect only once approved; then the proposed task book becomes version N+1.

The request carries the whole proposed book (a form pre-filled from the version in force,
`prefill`), so the change is the diff of two documents (task_book.diff) and milestones and period
move with it: the project's columns follow the new version and the milestone due checks are
rescheduled (old jobs cancelled, new ones written) in the approving command.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select

from ....domain import task_book
from ....models import ChangeRequest, TaskBookVersion
from ....models.states import ProjectStatus
from ...errors import Conflict, NotFound, ValidationFailed
from . import due_checks, records, task_books

KINDS = ("goal", "content", "leader", "period")
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
WITHDRAWN = "withdrawn"          # its project's case ended before the decision (case_end.py)


def prefill(ctx, project_id):
    """The task book in force, as a change request's form starts from it."""
    project = records.load(ctx, project_id)
    version = task_books.current(ctx, project)
    return dict(version.content) if version is not None else {}


def request_change(ctx, project_id, kinds, reason, proposed, instance=None):
    """The lead unit asks for a change (pending until the managing body decides). Returns the request."""
    project = records.load(ctx, project_id)
    records.check_team(ctx, project, instance)
    records.require_status(project, ProjectStatus.EXECUTING)
    errors = {}
    kinds = [k for k in dict.fromkeys(kinds or []) if k in KINDS] if isinstance(kinds, list) else []
    if not kinds:
        errors["change_kinds"] = [_("Choose from: %(values)s.", values=", ".join(KINDS))]
    if not str(reason or "").strip():
        errors["change_reason"] = [_("Required.")]
    if errors:
        raise ValidationFailed(_("The change request is not complete."), errors)
    current = task_books.current(ctx, project)
    document = task_books.checked(proposed, previous=current.content)
    if not task_book.diff(current.content, document):
        raise ValidationFailed(_("The proposed task book changes nothing."), {"proposed": [_("Change something.")]})
    if ctx.session.execute(select(ChangeRequest.id).where(
            ChangeRequest.project_id == project.id, ChangeRequest.status == PENDING)).first() is not None:
        raise Conflict(_("A change request of this project is still waiting for its decision."))
    seq = (ctx.session.execute(select(func.max(ChangeRequest.seq)).where(
        ChangeRequest.project_id == project.id)).scalar() or 0) + 1
    change = ChangeRequest(project_id=project.id, seq=seq, kinds=kinds, reason=str(reason).strip(),
                           base_version=current.version, proposed=document, status=PENDING,
                           instance_id=instance.id if instance is not None else project.instance_id,
                           requested_at=ctx.now, requested_by_id=ctx.actor.id if ctx.actor is not None else None)
    ctx.session.add(change)
    ctx.session.flush()
    records.record(ctx, "project_change_requested", project, instance, change_id=change.id, seq=seq, kinds=kinds,
                   reason=change.reason, base_version=current.version,
                   changes=[c.path for c in task_book.diff(current.content, document)])
    return change


def load_change(ctx, change_id):
    change = ctx.session.get(ChangeRequest, change_id) if isinstance(change_id, int) else None
    if change is None:
        raise NotFound(_("No such change request."))
    return change


def decide_change(ctx, change_id, approve, opinion="", instance=None):
    """The managing body's decision. Approved: the proposed book becomes the next version, the
    project's period follows it and its milestone due checks are rescheduled."""
    records.check_writer(ctx, instance)
    change = load_change(ctx, change_id)
    project = records.load(ctx, change.project_id)
    if change.status != PENDING:
        raise Conflict(_("The change request was decided already."))
    change.opinion, change.decided_at = str(opinion or ""), ctx.now
    change.decided_by_id = ctx.actor.id if ctx.actor is not None else None
    if not approve:
        change.status = REJECTED
        records.record(ctx, "project_change_rejected", project, instance, change_id=change.id, opinion=change.opinion)
        return change
    records.require_status(project, ProjectStatus.EXECUTING)
    current = task_books.current(ctx, project)
    if current.version != change.base_version:
        raise Conflict(_("The task book changed since this request was made (version %(v)s); request again.",
                         v=current.version))
    version = current.version + 1
    ctx.session.add(TaskBookVersion(project_id=project.id, version=version, content=change.proposed,
                                    change_request_id=change.id, instance_id=change.instance_id, frozen_at=ctx.now,
                                    frozen_by_id=change.decided_by_id))
    change.status, change.resulting_version = APPROVED, version
    project.period_start, project.period_end = task_book.period(change.proposed)
    project.task_book_version, project.updated_at = version, ctx.now
    due_checks.schedule_milestones(ctx, project, change.proposed)
    records.record(ctx, "project_change_approved", project, instance, change_id=change.id, version=version,
                   changes=[{"path": c.path, "kind": c.kind} for c in task_book.diff(current.content, change.proposed)])
    return change


def withdraw_pending(ctx, project, reason, instance=None):
    """The project's case ended before the managing body decided its change request: nobody will."""
    records.check_writer(ctx, instance)
    for change in ctx.session.execute(select(ChangeRequest).where(
            ChangeRequest.project_id == project.id, ChangeRequest.status == PENDING)).scalars().all():
        change.status, change.decided_at = WITHDRAWN, ctx.now
        records.record(ctx, "project_change_withdrawn", project, instance, change_id=change.id, reason=reason)


def diff_of(ctx, change_id):
    """What a change request changes, against the version it was based on (for its pages)."""
    change = load_change(ctx, change_id)
    base = ctx.session.execute(select(TaskBookVersion).where(
        TaskBookVersion.project_id == change.project_id, TaskBookVersion.version == change.base_version)).scalar_one()
    return task_book.diff(base.content, change.proposed)
