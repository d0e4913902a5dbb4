"""The task book (standard 5.5.3, App. F): checked, signed by every party, frozen as version 1.

The document and its checks are app/domain/task_book.py (pure, English messages); here the
messages are translated, the signers are found (one leader per unit: the lead unit and each
participating unit, from the group `unit_leader:<unit>`), and the signed book is frozen: version 1,
the project's period, status executing, and a due check per milestone (due_checks.py).
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ....domain import task_book
from ....models import Group, TaskBookVersion, Unit, User, user_groups
from ....models.states import ProjectStatus
from ...errors import Conflict, ValidationFailed
from . import due_checks, records


def _translated(message):
    """The domain's English check messages in the user's language."""
    fixed = {
        "required": _("Required."),
        "a date YYYY-MM-DD is required": _("A date YYYY-MM-DD is required."),
        "the period must end after it starts": _("The period must end after it starts."),
        "at least one row is required": _("Add at least %(n)d row(s).", n=1),
        "the key is used twice": _("The key is used twice."),
        "a number is required": _("A number is required."),
        "a number of at least 0 is required": _("A number of at least 0 is required."),
        "a pass rate is between 0 and 100": _("A pass rate is between 0 and 100."),
        "a whole number of enterprises, at least 1": _("A whole number of enterprises, at least 1."),
        "the date must lie within the project period": _("The date must lie within the project period."),
    }
    if message in fixed:
        return fixed[message]
    if message.startswith("at most "):
        return _("At most %(n)d row(s) are allowed.", n=task_book.MAX_ROWS)
    if message.startswith("one of: "):
        return _("Choose from: %(values)s.", values=message[len("one of: "):])
    return message


def checked(document, previous=None):
    """The normalised document, or ValidationFailed naming each field (`targets.0.target`)."""
    if not isinstance(document, dict):
        raise ValidationFailed(_("The task book is not complete."), {"_form": [_("Expected an object.")]})
    normal = task_book.normalise(document, previous)
    problems = task_book.check(normal)
    if problems:
        raise ValidationFailed(_("The task book is not complete."), {
            path: [_translated(m) for m in messages] for path, messages in problems.items()})
    return normal


def signers(ctx, project):
    """The user who signs for each party (the lead unit first, then the participating units in
    order): the first leader of the unit by user name. A party without a leader account is refused,
    naming it, because the book could never be signed."""
    names = list(dict.fromkeys([project.lead_unit_name, *project.participating_units]))
    found = []
    for name in names:
        username = ctx.session.execute(
            select(User.username).join(user_groups, user_groups.c.user_id == User.id)
            .join(Group, Group.id == user_groups.c.group_id).join(Unit, Unit.id == User.unit_id)
            .where(Unit.name == name, Group.key == "unit_leader:" + Unit.key, User.active.is_(True))
            .order_by(User.username).limit(1)).scalar()
        if username is None:
            raise ValidationFailed(_("Unit %(unit)s has no leader account to sign the task book.", unit=name),
                                   {"participating_units": [_("%(unit)s: no leader account.", unit=name)]})
        found.append(username)
    return list(dict.fromkeys(found))


def check_task_book(ctx, project_id, document, instance=None):
    """The lead unit submitted the task book: checked, and who must sign it."""
    project = records.load(ctx, project_id)
    records.check_team(ctx, project, instance)
    records.require_status(project, ProjectStatus.TASK_BOOK)
    normal = checked(document)
    return project, normal, signers(ctx, project)


def freeze_task_book(ctx, project_id, document, signatures, instance=None):
    """Every party signed: the book becomes version 1 and the project runs (status executing)."""
    records.check_writer(ctx, instance)
    project = records.load(ctx, project_id)
    records.require_status(project, ProjectStatus.TASK_BOOK)
    normal = checked(document)
    signed = {s.get("user"): s for s in signatures or [] if s.get("decision") == "approve"}
    missing = [u for u in signers(ctx, project) if u not in signed]
    if missing:
        raise Conflict(_("The task book still lacks the signatures of: %(users)s.", users=", ".join(missing)))
    kept = [{"user": s.get("user"), "name": s.get("name", ""), "at": s.get("at", ""),
             "opinion": s.get("opinion", "")} for s in signed.values()]
    ctx.session.add(TaskBookVersion(project_id=project.id, version=1, content=normal, signatures=kept,
                                    instance_id=instance.id if instance is not None else None, frozen_at=ctx.now,
                                    frozen_by_id=ctx.actor.id if ctx.actor is not None else None))
    _take_over(project, normal, 1)
    records.record(ctx, "project_task_book_frozen", project, instance, version=1, signers=[s["user"] for s in kept])
    records.move(ctx, project, ProjectStatus.EXECUTING, instance)
    due_checks.schedule_milestones(ctx, project, normal)
    return project, normal


def _take_over(project, document, version):
    """The project's columns follow the book in force."""
    project.period_start, project.period_end = task_book.period(document)
    project.task_book_version = version


def current(ctx, project):
    """The task book in force (the newest version), or None before version 1."""
    return ctx.session.execute(select(TaskBookVersion).where(
        TaskBookVersion.project_id == project.id).order_by(TaskBookVersion.version.desc()).limit(1)).scalar()
