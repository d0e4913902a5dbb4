"""The service tasks of bpmn/achievement_admission.bpmn: what the admission case does to the
library. Each runs inside the command of the step that reached it (`command.active()`), so it
commits or rolls back with that step; each returns JSON values merged into the case data.
"""
from datetime import datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from .... import localtime
from ....models import BreakthroughProject, User
from ...command import active
from . import admission, holders, records

REVIEW_HOUR = time(9, 0)      # an expiry opens its review at 09:00 Guangzhou time on the day


def review_at(day):
    """When the right's expiry opens the delisting review ("" when the right does not expire)."""
    return datetime.combine(day, REVIEW_HOUR, tzinfo=localtime.zone()).isoformat() if day else ""


def prefill(instance, data):
    """Topic `achievement_prefill`: who fills in the form, and what an accepted project says."""
    ctx = active()
    found = {"experts": "", "contributor_user": data.get("contributor_user") or data.get("initiator") or ""}
    number = str(data.get("project_number") or "")
    project = ctx.session.execute(select(BreakthroughProject).where(
        BreakthroughProject.number == number)).scalar_one_or_none() if number else None
    if project is not None:
        found.update(consortium_id=project.consortium_id, name=data.get("project_name") or project.name,
                     contributor_name=project.lead_unit_name, project_number=project.number)
        if project.proposer is not None:
            found["contributor_user"] = project.proposer.username
        if project.problems:
            found["problem_id"] = project.problems[0].id
    elif not data.get("contributor_name"):          # a member's own application: their unit contributes
        contributor = ctx.session.execute(select(User).where(User.username == found["contributor_user"])).scalar()
        if contributor is not None and contributor.unit is not None:
            found["contributor_name"] = contributor.unit.name
    return found


def register(instance, data):
    """Topic `achievement_register`: the form enters the library as under review (or is revised)."""
    achievement = admission.register_achievement(active(), instance, data)
    return {"achievement_id": achievement.id, "achievement_number": achievement.number,
            "right_review_at": review_at(achievement.right_expires_on)}


def publish(instance, data):
    """Topic `achievement_publish`: published at the level and conditions the managing body decided."""
    achievement = admission.publish(active(), data.get("achievement_id"), data.get("share_level"),
                                    data.get("share_conditions"), data.get("conditions_text"),
                                    data.get("opinion"), instance)
    return {"achievement_status": achievement.status, "right_review_at": review_at(achievement.right_expires_on)}


def reject(instance, data):
    """Topic `achievement_reject`."""
    achievement = admission.reject(active(), data.get("achievement_id"), data.get("opinion"), instance)
    return {"achievement_status": achievement.status}


def right_expired(instance, data):
    """Topic `achievement_right_expired`: the right's expiry date came; the review says why it opened."""
    ctx = active()
    achievement = records.load(ctx, data.get("achievement_id"))
    records.record(ctx, "achievement_right_expired", achievement, instance,
                   right_expires_on=str(achievement.right_expires_on or ""))
    return {"delisting_reason": _("The right (%(certificate)s) expired on %(day)s.",
                                  certificate=achievement.certificate_number or achievement.ip_type,
                                  day=str(achievement.right_expires_on or "")),
            "agreements_in_force": holders.in_force_summary(ctx.session, achievement.id, ctx.now)}


def delist(instance, data):
    """Topic `achievement_delist`."""
    reason = str(data.get("opinion") or data.get("delisting_reason") or "")
    achievement = admission.delist(active(), data.get("achievement_id"), reason, instance)
    return {"achievement_status": achievement.status}


def keep(instance, data):
    """Topic `achievement_keep`: kept listed; its right's status and expiry as the review found them."""
    achievement = admission.update_right(active(), data.get("achievement_id"), data.get("right_status"),
                                         data.get("right_expires_on"), instance)
    return {"right_review_at": review_at(achievement.right_expires_on), "delisting_reason": ""}


TOPICS = {
    "achievement_prefill": prefill,
    "achievement_register": register,
    "achievement_publish": publish,
    "achievement_reject": reject,
    "achievement_right_expired": right_expired,
    "achievement_delist": delist,
    "achievement_keep": keep,
}
