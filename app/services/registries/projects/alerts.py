"""Risk alerts of breakthrough projects (standard 5.5.4d).

An alert is raised by a due check at its moment (due_checks.py), by a report that shows a target
behind its trajectory (reports.py), or by the team (a `project_risk_report` message); it is closed
by the event that resolves it. One alert is open per (project, rule, subject): `open_key` is
unique while open, so a check that fires twice, or two at once, leaves one alert (the second
finds the first; a lost race is a duplicate key that the timer retries and then finds it).

Severity comes from the DMN decision `project_risk` (rules/project_risk.dmn, the newest deployed
version): administrators change thresholds there. `BreakthroughProject.risk_level` is the highest
severity among the open alerts. Each opening and closing notifies the lead unit's users and the
managing body, in each reader's language.
"""
import threading
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select

from ....engine.dmn.checks import load_dmn
from ....engine.dmn.evaluate import decide
from ....models import DecisionDefinition, RiskAlert, RiskAlertEvent
from ....models.states import RiskRule, RiskSeverity
from ...errors import Conflict, NotFound, ValidationFailed
from ...identity.permissions import MANAGING_BODY
from ...notify import notifications
from . import records

OPEN, CLOSED = "open", "closed"
DECISION = "project_risk"
_parsed_lock = threading.Lock()


def _newest(session):
    """The newest version of the deployed DMN file that holds the decision (a handful of rows)."""
    rows = session.execute(select(DecisionDefinition).order_by(DecisionDefinition.id.desc())).scalars()
    return next((d for d in rows if DECISION in (d.decision_ids or [])), None)


def _document(session):
    """The newest deployed DMN file holding the decision, parsed once per content."""
    definition = _newest(session)
    if definition is None:
        raise NotFound(_("The risk rules (decision %(id)s) are not deployed.", id=DECISION))
    cache = current_app.extensions.setdefault("chainq.project_risk_rules", {})
    with _parsed_lock:
        hit = cache.get(definition.content_hash)
    if hit is None:
        hit = load_dmn(definition.dmn_xml, definition.filename)
        with _parsed_lock:
            cache[definition.content_hash] = hit
    return hit, definition


def assess(ctx, rule, days_overdue=0, lag_percent=Decimal(0)):
    """The decision's verdict: {"severity", "alert", "rules_version"} (alert False: raise none)."""
    document, definition = _document(ctx.session)
    result = decide(document, DECISION, {"rule": rule, "days_overdue": Decimal(days_overdue),
                                         "lag_percent": Decimal(lag_percent)}, "singleResult") or {}
    severity = result.get("severity")
    return {"severity": severity if severity in RiskSeverity.ALL else RiskSeverity.MEDIUM,
            "alert": result.get("alert", True) is not False, "rules_version": definition.version}


def _find_open(ctx, project, key):
    return ctx.session.execute(select(RiskAlert).where(
        RiskAlert.project_id == project.id, RiskAlert.open_key == key)).scalar_one_or_none()


def open_alert(ctx, project, rule, subject, message, instance=None, days_overdue=0, lag_percent=Decimal(0),
               detail=None, at=None):
    """Raise an alert unless one of this rule and subject is open (then that one is returned), or the
    decision says this case raises none (None). `message`: the team's words as written, or a
    `notifications.said(...)` text, kept in the default language on the alert and shown to each
    reader of a notification in their own."""
    records.check_team(ctx, project, instance)
    if rule not in RiskRule.ALL:
        raise ValidationFailed(_("Not a risk rule."), {"rule": [_("Choose from: %(values)s.",
                                                                   values=", ".join(RiskRule.ALL))]})
    key = f"{rule}:{subject}"
    existing = _find_open(ctx, project, key)
    if existing is not None:
        return existing
    verdict = assess(ctx, rule, days_overdue, lag_percent)
    if not verdict["alert"]:
        return None
    moment, said = at or ctx.now, message if isinstance(message, notifications.Said) else None
    text = _in_default_language(said) if said is not None else str(message or "")
    alert = RiskAlert(project_id=project.id, rule=rule, subject=subject, severity=verdict["severity"], status=OPEN,
                      open_key=key, message=text, instance_id=project.instance_id, opened_at=moment,
                      opened_by_id=ctx.actor.id if ctx.actor is not None else None,
                      detail={**(detail or {}), "days_overdue": days_overdue, "lag_percent": str(lag_percent),
                              **verdict, "said": said.to_json() if said is not None else None})
    alert.events.append(RiskAlertEvent(action="opened", note=text, at=moment,
                                       actor_id=ctx.actor.id if ctx.actor is not None else None))
    ctx.session.add(alert)
    ctx.session.flush()
    _refresh_level(ctx, project)
    records.record(ctx, "project_risk_opened", project, instance, alert_id=alert.id, rule=rule, subject=subject,
                   severity=alert.severity, message=text)
    _tell(ctx, project, alert, notifications.said("Risk alert (%(severity)s) on %(number)s: %(message)s",
                                                  severity=_severity_label(alert.severity), number=project.number,
                                                  message=_message_of(alert)))
    return alert


def close_alert(ctx, project, rule, subject, reason, instance=None, at=None):
    """Close the open alert of this rule and subject, if any (returns it)."""
    records.check_team(ctx, project, instance)
    alert = _find_open(ctx, project, f"{rule}:{subject}")
    if alert is not None:
        _close(ctx, project, alert, reason, instance, at)
    return alert


def close_alert_by_id(ctx, alert_id, reason, instance=None):
    """The managing body (or the step that handled it) closes an alert."""
    alert = _load(ctx, alert_id)
    records.check_writer(ctx, instance)
    if alert.status != OPEN:
        raise Conflict(_("The alert is already closed."))
    _close(ctx, alert.project, alert, reason, instance, None)
    return alert


def note_alert(ctx, alert_id, note, instance=None):
    """Add a note to an alert's history (the team or the managing body)."""
    alert = _load(ctx, alert_id)
    records.check_team(ctx, alert.project, instance)
    text = str(note or "").strip()
    if not text:
        raise ValidationFailed(_("Write the note."), {"note": [_("Required.")]})
    alert.events.append(RiskAlertEvent(action="note", note=text, at=ctx.now,
                                       actor_id=ctx.actor.id if ctx.actor is not None else None))
    records.record(ctx, "project_risk_noted", alert.project, instance, alert_id=alert.id, note=text)
    return alert


def _load(ctx, alert_id):
    alert = ctx.session.get(RiskAlert, alert_id) if isinstance(alert_id, int) else None
    if alert is None:
        raise NotFound(_("No such alert."))
    return alert


def close_all(ctx, project, reason, instance=None):
    """The project has ended early (case_end.py): its open alerts close with it, told once, by the
    project's own end, rather than once per alert."""
    records.check_writer(ctx, instance)
    for alert in ctx.session.execute(select(RiskAlert).where(
            RiskAlert.project_id == project.id, RiskAlert.status == OPEN).order_by(RiskAlert.id)).scalars().all():
        _close(ctx, project, alert, reason, instance, None, tell=False)


def _close(ctx, project, alert, reason, instance, at, tell=True):
    moment = at or ctx.now
    alert.status, alert.open_key, alert.closed_at, alert.closed_reason = CLOSED, None, moment, reason
    alert.events.append(RiskAlertEvent(action="closed", note=reason, at=moment,
                                       actor_id=ctx.actor.id if ctx.actor is not None else None))
    ctx.session.flush()
    _refresh_level(ctx, project)
    records.record(ctx, "project_risk_closed", project, instance, alert_id=alert.id, rule=alert.rule,
                   subject=alert.subject, reason=reason)
    if tell:
        _tell(ctx, project, alert, notifications.said("Risk alert closed on %(number)s: %(message)s",
                                                      number=project.number, message=_message_of(alert)))


def _refresh_level(ctx, project):
    severities = ctx.session.execute(select(RiskAlert.severity).where(
        RiskAlert.project_id == project.id, RiskAlert.status == OPEN)).scalars().all()
    project.risk_level = max(severities, key=RiskSeverity.RANK.get, default="")


def _in_default_language(said):
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return said.render()


def _message_of(alert):
    """What the alert says, for a notification: its template when the system wrote it (rendered in
    each reader's language), else the team's words."""
    stored = (alert.detail or {}).get("said")
    return notifications.Said.from_json(stored) if stored else alert.message


def _severity_label(severity):
    return {RiskSeverity.HIGH: notifications.said("high"), RiskSeverity.MEDIUM: notifications.said("medium"),
            RiskSeverity.LOW: notifications.said("low")}.get(severity, severity)


def _tell(ctx, project, alert, message):
    """The lead unit's users and the managing body hear of it (each in their own language)."""
    ids = records.lead_unit_user_ids(ctx, project) + notifications.member_ids(ctx, [MANAGING_BODY])
    notifications.notify(ctx, ids, "risk_alert", message, project.instance_id)


def team_subject(ctx, project):
    """The next subject of a team-reported risk (R1, R2 …): each report is an alert of its own."""
    count = ctx.session.execute(select(func.count()).select_from(RiskAlert).where(
        RiskAlert.project_id == project.id, RiskAlert.rule == RiskRule.TEAM_REPORTED)).scalar()
    return f"R{count + 1}"
