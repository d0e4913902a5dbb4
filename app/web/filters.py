"""Template filters: times in Beijing time, labels for statuses and enums."""
from datetime import timedelta, timezone

from flask_babel import gettext as _

BEIJING = timezone(timedelta(hours=8))


def local_time(value, fmt="%Y-%m-%d %H:%M"):
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(BEIJING).strftime(fmt)


def status_label(value):
    labels = {"running": _("In progress"), "completed": _("Completed"), "terminated": _("Terminated"),
              "open": _("Open"), "cancelled": _("Cancelled"),
              "approve": _("Approve"), "return": _("Return for revision"), "reject": _("Reject"),
              "approved": _("Approved"), "rejected": _("Rejected")}
    return labels.get(value, value or "")


def event_label(value):
    labels = {"instance_started": _("Case started"), "instance_completed": _("Case ended"),
              "task_created": _("Task arrived"), "task_claimed": _("Task claimed"),
              "task_released": _("Task released"), "task_draft_saved": _("Draft saved"),
              "task_completed": _("Task completed"), "task_cancelled": _("Task cancelled"),
              "service_task_completed": _("System step done"), "definition_deployed": _("Definition deployed")}
    return labels.get(value, value or "")


def init_app(app):
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(status_label, "status_label")
    app.add_template_filter(event_label, "event_label")
