"""In-app notifications (the bell). Written inside the command that causes them."""
from datetime import datetime, timezone

from babel import Locale
from flask import current_app
from flask_babel import force_locale, get_locale, gettext as _
from sqlalchemy import func, select, update

from ...extensions import db
from ...models import Notification
from ..command import command
from ..errors import NotFound
from . import mailer


def _now():
    return datetime.now(timezone.utc)


class Said:
    """What a notification says, as its message template and values, so that each reader sees
    it in their own language: the actor whose work caused it may use another. A value may be
    a Said itself (an outcome's label)."""
    __slots__ = ("template", "params")

    def __init__(self, template, params):
        self.template, self.params = template, params

    def render(self):
        return _(self.template, **{k: v.render() if isinstance(v, (Said, Name)) else v
                                   for k, v in self.params.items()})

    def to_json(self):
        return {"template": self.template,
                "params": {k: v.to_json() if isinstance(v, (Said, Name)) else v for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, stored):
        return cls(stored["template"], {k: _value_from_json(v) for k, v in (stored.get("params") or {}).items()})


class Name:
    """A step's or process's name in both languages: the diagram's name (Chinese) and its `nameEn`,
    taken from the case's own version when the notification is written; shown in the reader's
    language (the Chinese name where there is no English one)."""
    __slots__ = ("chinese", "english")

    def __init__(self, chinese, english=None):
        self.chinese, self.english = chinese, english or None

    def render(self):
        if self.english and not str(get_locale() or "zh").startswith("zh"):
            return self.english
        return self.chinese

    def to_json(self):
        return {"name": self.chinese, "name_en": self.english}


def _value_from_json(value):
    if isinstance(value, dict):
        return Name(value.get("name", ""), value.get("name_en")) if "name" in value else Said.from_json(value)
    return value


def said(template, **params):
    """A notification text to be rendered when read (pybabel extracts its template: -k said)."""
    return Said(template, params)


def text_of(notification):
    """A stored notification in the reader's language (rows from before templates were stored: as written)."""
    if notification.said:
        return Said.from_json(notification.said).render()
    return notification.message


_parsed = {}


def _in_default_language(message):
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
    if default not in _parsed:
        _parsed[default] = Locale.parse(default)
    if get_locale() == _parsed[default]:      # the usual case: switching the locale costs ~0.1 ms
        return message.render()
    with force_locale(default):
        return message.render()


def notify(ctx, user_ids, kind, message, instance_id=None, task_id=None):
    """Notify users (a `said(...)` text, shown in each reader's language, or plain text)."""
    ids = list(dict.fromkeys(u for u in user_ids if u))
    if not ids:
        return
    created = _now()
    stored = message.to_json() if isinstance(message, Said) else None
    # the row keeps the text in the default language too: for e-mail, search and exports
    text = _in_default_language(message) if isinstance(message, Said) else message
    for user_id in ids:    # inserted with the command's other queued rows, when it ends
        ctx.append(Notification.__table__, {
            "user_id": user_id, "kind": kind, "message": text[:500], "said": stored, "instance_id": instance_id,
            "task_id": task_id, "created_at": created, "read_at": None})
    if current_app.config.get("SMTP_HOST"):   # sent only if the command commits, in each recipient's language
        mailer.queue(ctx, ids, message.render if isinstance(message, Said) else message)


def member_ids(ctx, group_keys):
    """The ids of the active members of these groups."""
    return [member.id for member in ctx.members.of_groups(group_keys)]


def task_arrived(ctx, task, step, assignee, groups, users):
    """`step`: the task's step name (a Name, `definitions.step_label(task)`)."""
    ids = [assignee.id] if assignee is not None else \
        member_ids(ctx, groups) + [member.id for member in ctx.members.by_names(users)]
    notify(ctx, ids, "task", said("New task: %(step)s — %(case)s", step=step, case=task.instance_title or
                             task.business_key), task.instance_id, task.id)


def task_cancelled(ctx, task, step):
    """An assigned approver's task ended without them (the step was decided by the others, or the
    case was withdrawn, taken back or returned): they learn it rather than find it gone."""
    if task.assignee_id is not None:
        message = said("%(step)s — %(case)s: the step has ended; your task is closed",
                       step=step, case=task.instance_title or task.business_key)
        notify(ctx, [task.assignee_id], "cancelled", message, task.instance_id, task.id)


def case_withdrawn(ctx, task, step, applicant, reason):
    """The applicant cancelled (撤销) the case: whoever the open task was with hears it — its assignee,
    or, while nobody had claimed it, its candidates (those who were told it arrived)."""
    if task.assignee_id is not None:
        ids = [task.assignee_id]
    else:
        ids = member_ids(ctx, [g for g in task.candidate_groups.split(",") if g]) + \
            [member.id for member in ctx.members.by_names([u for u in task.candidate_users.split(",") if u])]
    message = said("%(step)s — %(case)s: cancelled by the applicant (%(applicant)s): %(reason)s", step=step,
                   case=task.instance_title or task.business_key, applicant=applicant.display_name,
                   reason=reason)
    notify(ctx, [i for i in ids if i != applicant.id], "withdrawn", message, task.instance_id, task.id)


def case_ended(ctx, instance, outcome, end=None):
    """`outcome`: the end event's id; `end`: its name in both languages (a Name), said for other ends
    than `approved` and `rejected`."""
    label = {"approved": said("approved"), "rejected": said("rejected")}.get(outcome) or end or outcome
    notify(ctx, [instance.started_by_id], "outcome", said("Your case %(key)s has ended: %(outcome)s",
                                                     key=instance.business_key, outcome=label), instance.id)


def returned(ctx, instance, step, opinion):
    """`step`: where the case was returned (a Name, or text)."""
    notify(ctx, [instance.started_by_id], "return", said("Returned for revision at %(step)s: %(opinion)s",
                                                    step=step, opinion=opinion), instance.id)


def unread_count(user):
    return db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar()


def latest(user, limit=50):
    return db.session.execute(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())
                              .limit(limit)).scalars().all()


def mark_read(user, notification_id=None):
    """Mark one (or all) of the user's notifications read. Returns the one, if given."""
    with command(user):
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
