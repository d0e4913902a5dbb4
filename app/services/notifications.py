"""In-app notifications (the bell). Written inside the command that causes them."""
from datetime import datetime, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Notification
from . import appends, mailer, members
from .errors import NotFound


def _now():
    return datetime.now(timezone.utc)


def notify(user_ids, kind, message, instance_id=None, task_id=None):
    ids = list(dict.fromkeys(u for u in user_ids if u))
    created = _now()
    for user_id in ids:    # inserted with the command's other appended rows, when it commits
        appends.add(db.session, Notification.__table__, {
            "user_id": user_id, "kind": kind, "message": message[:500], "instance_id": instance_id,
            "task_id": task_id, "created_at": created, "read_at": None})
    if ids and current_app.config.get("SMTP_HOST"):   # sent only if the command commits
        mailer.queue(ids, message)


def _members(group_keys):
    return [user_id for user_id, _name in members.of_groups(group_keys)]


def _users(usernames):
    return [user_id for user_id, _name in members.by_names(usernames)]


def task_arrived(task, assignee, groups, users):
    ids = [assignee.id] if assignee is not None else _members(groups) + _users(users)
    notify(ids, "task", _("New task: %(step)s — %(case)s", step=task.name, case=task.instance_title or
                          task.business_key), task.instance_id, task.id)


def case_ended(instance, outcome):
    said = {"approved": _("approved"), "rejected": _("rejected")}.get(outcome, outcome)
    notify([instance.started_by_id], "outcome", _("Your case %(key)s has ended: %(outcome)s",
                                                  key=instance.business_key, outcome=said), instance.id)


def returned(instance, step_name, opinion):
    notify([instance.started_by_id], "return", _("Returned for revision at %(step)s: %(opinion)s",
                                                 step=step_name, opinion=opinion), instance.id)


def unread_count(user):
    return db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar()


def latest(user, limit=50):
    return db.session.execute(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())
                              .limit(limit)).scalars().all()


def mark_read(user, notification_id=None):
    """Mark one (or all) of the user's notifications read. Returns the one, if given."""
    from .transaction import command
    with command():
        if notification_id is None:
            db.session.execute(update(Notification).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=_now()))
            return None
        item = db.session.get(Notification, notification_id)
        if item is None or item.user_id != user.id:
            raise NotFound(_("No such notification."))
        if item.read_at is None:
            item.read_at = _now()
        return item
