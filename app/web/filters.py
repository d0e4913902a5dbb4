"""Template filters: times in the programme's time zone, labels for statuses and enums."""
import json
from datetime import datetime, timezone

from flask import g
from flask_babel import get_locale, gettext as _
from sqlalchemy import select

from .. import localtime
from ..domain.districts import district_label
from ..extensions import db
from ..models import Group, User
from ..services.notify.notifications import text_of
from ..services.workflow import definitions


def local_time(value, fmt="%Y-%m-%d %H:%M"):
    """A stored moment (or an ISO text with an offset) in the programme's time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return localtime.local(value).strftime(fmt)


def status_label(value):
    labels = {"running": _("In progress"), "completed": _("Completed"), "terminated": _("Terminated"),
              "suspended": _("Suspended"), "open": _("Open"), "cancelled": _("Cancelled"),
              # the outcomes (end events) of the shipped processes
              "accepted": _("Accepted"), "failed": _("Not accepted"), "registered": _("Entered in the library"),
              "not_registered": _("Not entered"), "rejected_duplicate": _("Duplicate, not accepted"),
              "reviewed": _("Review complete"),
              "expired": _("Expired"), "refused": _("Refused"),     # licence agreements
              "delisted": _("Withdrawn from the library"),          # achievement admission
              "cancelled_by_initiator": _("Cancelled by the applicant"),   # a case its initiator cancelled
              "approve": _("Approve"), "return": _("Return for revision"), "reject": _("Reject"),
              "approved": _("Approved"), "rejected": _("Rejected"), "pending": _("Not yet"),
              "single": _("Single approver"), "or_sign": _("Or-sign (any one decides)"),
              "countersign": _("Countersign (all must approve)"), "sequential": _("Sequential"),
              "vote": _("Vote")}
    return labels.get(value, value or "")


def migration_status_label(value):
    """A case's row in a migration batch."""
    return {"pending": _("Waiting"), "migrated": _("Moved"), "failed": _("Could not move")}.get(value, value or "")


def event_label(value):
    labels = {"instance_started": _("Case started"), "instance_completed": _("Case ended"),
              "task_created": _("Task arrived"), "task_claimed": _("Task claimed"),
              "task_released": _("Task released"), "task_draft_saved": _("Draft saved"),
              "task_completed": _("Task completed"), "task_cancelled": _("Task cancelled"),
              "service_task_completed": _("System step done"), "steps_completed": _("Steps run"),
              "signature_recorded": _("Signed"), "task_transferred": _("Transferred"),
              "task_reassigned": _("Reassigned by an administrator"),
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
              "process_start_disabled": _("New cases stopped"), "process_start_enabled": _("New cases allowed again"),
              "api_token_issued": _("API token issued"), "api_token_revoked": _("API token revoked"),
              "password_changed": _("Password changed"), "logged_out": _("Logged out"),
              "login_locked": _("Login locked after failed attempts"),
              "instance_suspended": _("Case suspended"), "instance_resumed": _("Case resumed"),
              "instance_terminated": _("Case terminated"), "instance_migrated": _("Case moved to another version"),
              "instance_cancelled": _("Cancelled by the applicant"),
              "migration_started": _("Case migration ordered"), "incident_created": _("Step failed (incident)"),
              "data_corrected": _("Case data corrected")}
    return labels.get(value) or _domain_event_label(value) or value or ""


def _domain_event_label(value):
    """The libraries' own audit events (problems, projects, rules, accounts)."""
    return {"problem_registered": _("Problem registered"), "problem_status_changed": _("Problem status changed"),
            "problem_regraded": _("Problem regraded"), "problem_merged": _("Problem merged"),
            "problem_delisted": _("Problem delisted"), "problems_linked": _("Problems linked"),
            "project_proposed": _("Project proposed"), "project_status_changed": _("Project status changed"),
            "project_task_book_frozen": _("Task book frozen"), "project_report_submitted": _("Progress reported"),
            "project_midterm_recorded": _("Mid-term result recorded"),
            "project_rectification_submitted": _("Rectification submitted"),
            "project_acceptance_applied": _("Acceptance applied for"),
            "project_acceptance_recorded": _("Acceptance result recorded"), "project_archived": _("Archived"),
            "project_change_requested": _("Change requested"), "project_change_approved": _("Change approved"),
            "project_change_rejected": _("Change rejected"), "project_change_withdrawn": _("Change request withdrawn"),
            "project_risk_opened": _("Risk alert opened"),
            "project_risk_noted": _("Risk alert noted"), "project_risk_closed": _("Risk alert closed"),
            "decision_deployed": _("Rules deployed"), "form_deployed": _("Form deployed"),
            "user_created": _("Account created"),
            "user_updated": _("Account changed"), "user_deactivated": _("Account deactivated"),
            "user_reactivated": _("Account reactivated"), "password_reset": _("Password reset by an administrator"),
            "group_created": _("Group created"), "group_changed": _("Group changed"), "unit_created": _("Unit created"),
            "unit_changed": _("Unit changed"), "holidays_imported": _("Holidays imported"),
            **_achievement_event_labels()}.get(value)


def _achievement_event_labels():
    """The achievement library's audit events: admission, directed sharing, licences."""
    return {"achievement_submitted": _("Admission form submitted"), "achievement_revised": _("Admission form revised"),
            "achievement_status_changed": _("Achievement status changed"),
            "achievement_published": _("Achievement published"), "achievement_right_expired": _("Right expired"),
            "achievement_right_updated": _("Right updated"),
            "achievement_delisting_requested": _("Delisting review requested"),
            "achievement_sharing_requested": _("Access requested"), "achievement_sharing_granted": _("Access granted"),
            "achievement_sharing_refused": _("Access refused"), "achievement_sharing_expired": _("Access expired"),
            "achievement_sharing_withdrawn": _("Access request withdrawn"),
            "licence_applied": _("Licence applied for"), "licence_revised": _("Terms revised"),
            "licence_confirmed": _("Agreement confirmed"), "licence_status_changed": _("Licence status changed"),
            "licence_revenue_recorded": _("Revenue recorded")}


def actor_label(name):
    """Who acted, as the trail names them: the scheduler and the engine are "system"."""
    return _("System") if name == "system" else name


def reads_english():
    """Whether the reader uses the English UI (else the default, Chinese)."""
    return not str(get_locale() or "zh").startswith("zh")


def element_title(definition_id, element_id):
    """A diagram element's name in the reader's language (BPMN name in Chinese, nameEn in English)."""
    found = definitions.compiled_by_id(definition_id)
    if not str(get_locale() or "zh").startswith("zh") and element_id in found.element_names_en:
        return found.element_names_en[element_id]
    return found.element_names.get(element_id, element_id)


def _english_group(key, stored):
    """A group's name in English, from its key: the stored name is the Chinese one."""
    fixed = {"admins": _("Administrators"), "auditors": _("Auditors"), "city_office": _("City office"),
             "applicants": _("Applicant units"), "experts": _("Experts"), "managing_body": _("Managing body")}
    if key in fixed:
        return fixed[key]
    if key.startswith("district_office:"):
        return _("%(district)s district office", district=district_label(key.split(":", 1)[1], "en"))
    if key.startswith("unit_leader:"):
        return _("Leaders of %(unit)s", unit=stored.removesuffix(" 负责人").removesuffix("负责人"))
    return stored


def group_names(keys):
    """Display names of candidate groups ("district_office:haizhu" -> 海珠区…办公室), in the reader's language."""
    if isinstance(keys, str):
        keys = [k for k in keys.split(",") if k]
    if not keys:
        return ""
    cache = g.setdefault("_group_names", {})
    missing = [k for k in keys if k not in cache]
    if missing:
        for key, name in db.session.execute(select(Group.key, Group.name).where(Group.key.in_(missing))):
            cache[key] = name
    if not str(get_locale() or "zh").startswith("zh"):
        return ", ".join(_english_group(k, cache.get(k, k)) for k in keys)
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


def _english(process_key):
    cache = g.setdefault("_english_names", {})
    if process_key not in cache:
        cache[process_key] = definitions.english_names(process_key)
    return cache[process_key]


def process_name(process_key, stored):
    """A process's name in the reader's language (the stored name is the diagram's Chinese one)."""
    if str(get_locale() or "zh").startswith("zh") or not process_key:
        return stored
    return _english(process_key)[0] or stored


def step_name(process_key, element_id, stored):
    """A step's name in the reader's language (the stored name is the diagram's Chinese one)."""
    if str(get_locale() or "zh").startswith("zh") or not process_key or not element_id:
        return stored
    return _english(process_key)[1].get(element_id) or stored


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
    app.add_template_global(process_name, "process_name")
    app.add_template_global(step_name, "step_name")
    app.add_template_global(element_title, "element_title")
    app.add_template_filter(actor_label, "actor_label")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(status_label, "status_label")
    app.add_template_filter(event_label, "event_label")
    app.add_template_filter(migration_status_label, "migration_status_label")
    app.add_template_filter(notification_text, "notification_text")
