"""Template filters: times in the programme's time zone, labels for statuses and enums."""
import json
from datetime import datetime, timezone

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from .. import localtime
from ..extensions import db
from ..models import Group, User
from ..services.notify.notifications import text_of


def local_time(value, fmt="%Y-%m-%d %H:%M"):
    """A stored moment (or an ISO text with an offset) in the programme's time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return localtime.local(value).strftime(fmt)


def status_label(value):
    labels = {"running": _("In progress"), "completed": _("Completed"), "terminated": _("Terminated"),
              "open": _("Open"), "cancelled": _("Cancelled"),
              "approve": _("Approve"), "return": _("Return for revision"), "reject": _("Reject"),
              "approved": _("Approved"), "rejected": _("Rejected"), "pending": _("Not yet"),
              "single": _("Single approver"), "or_sign": _("Or-sign (any one decides)"),
              "countersign": _("Countersign (all must approve)"), "sequential": _("Sequential"),
              "vote": _("Vote")}
    return labels.get(value, value or "")


def event_label(value):
    labels = {"instance_started": _("Case started"), "instance_completed": _("Case ended"),
              "task_created": _("Task arrived"), "task_claimed": _("Task claimed"),
              "task_released": _("Task released"), "task_draft_saved": _("Draft saved"),
              "task_completed": _("Task completed"), "task_cancelled": _("Task cancelled"),
              "service_task_completed": _("System step done"), "steps_completed": _("Steps run"),
              "signature_recorded": _("Signed"), "task_transferred": _("Transferred"),
              "task_delegated": _("Delegated"), "task_delegation_resolved": _("Delegation returned"),
              "signer_added": _("Signer added"), "signer_removed": _("Signer removed"),
              "task_urged": _("Urged"), "case_copied": _("Copied (CC)"),
              "case_taken_back": _("Withdrawn / taken back"), "case_returned_to": _("Returned to an earlier step"),
              "timer_fired": _("Timer fired"),
              "message_sent": _("Message sent"), "message_received": _("Message received"),
              "signal_sent": _("Signal sent"), "signal_received": _("Signal received"),
              "task_timed_out": _("Due time passed"), "task_escalated": _("Escalated"),
              "timer_incident": _("Timer incident"), "incident_retried": _("Incident retried"),
              "calendar_changed": _("Calendar changed"), "definition_deployed": _("Definition deployed"),
              "api_token_issued": _("API token issued"), "api_token_revoked": _("API token revoked"),
              "password_changed": _("Password changed"), "logged_out": _("Logged out"),
              "login_locked": _("Login locked after failed attempts")}
    return labels.get(value, value or "")


def group_names(keys):
    """Display names of candidate groups ("district_office:haizhu" -> 海珠区…办公室)."""
    if isinstance(keys, str):
        keys = [k for k in keys.split(",") if k]
    if not keys:
        return ""
    cache = g.setdefault("_group_names", {})
    missing = [k for k in keys if k not in cache]
    if missing:
        for key, name in db.session.execute(select(Group.key, Group.name).where(Group.key.in_(missing))):
            cache[key] = name
    return "、".join(cache.get(k, k) for k in keys)


def due_state(due_at, now=None):
    """(css class, words) for a due time as people read it: overdue (red), due within two days
    (amber), or the days left. Whole days counted between local dates."""
    if due_at is None:
        return "", ""
    now = now or datetime.now(timezone.utc)
    days = (localtime.local(due_at).date() - localtime.today(now)).days
    if due_at < now:
        return "overdue", _("Overdue by %(n)d day(s)", n=max(-days, 0)) if days < 0 else _("Overdue")
    if days <= 2:
        return "due-soon", _("Due today") if days == 0 else _("%(n)d day(s) left", n=days)
    return "due-later", _("%(n)d day(s) left", n=days)


def person_names(usernames):
    """Display names for user names ("expert1" -> 李专家), as people know each other."""
    if isinstance(usernames, str):
        usernames = [u for u in usernames.split(",") if u]
    if not usernames:
        return ""
    cache = g.setdefault("_person_names", {})
    missing = [u for u in usernames if u not in cache]
    if missing:
        for username, name in db.session.execute(select(User.username, User.display_name)
                                                 .where(User.username.in_(missing))):
            cache[username] = name or username
    return "、".join(cache.get(u, u) for u in usernames)


def plain_value(value):
    """A form value as one line people read: a table's rows as "a, b; c, d", not JSON."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "；".join(plain_value(item) for item in value)
    if isinstance(value, dict):
        return "，".join(str(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def pretty_json(value, indent=None):
    """JSON for people: Chinese kept readable (autoescaping still applies)."""
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str, sort_keys=True)


def notification_text(notification):
    """A notification in the reader's language (app/services/notify/notifications.py keeps its template)."""
    return text_of(notification)


def init_app(app):
    app.add_template_filter(pretty_json, "pretty_json")
    app.add_template_filter(group_names, "group_names")
    app.add_template_filter(person_names, "person_names")
    app.add_template_filter(due_state, "due_state")
    app.add_template_global(plain_value, "plain_value")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(status_label, "status_label")
    app.add_template_filter(event_label, "event_label")
    app.add_template_filter(notification_text, "notification_text")
