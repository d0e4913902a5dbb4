"""Admission to the library (standard 5.6.1, App. G) and delisting (5.6.4): the commands the
admission case's service tasks call, and the managing body's own.

An achievement comes from an accepted project (the lifecycle's `achievement_admission` message
names it) or straight from a consortium member; it belongs to the contributor's consortium. The
managing body decides the share level and conditions it is published with (the contributor's
request is only a request), and takes a delisted one out of every reader's sight but its own and
the auditors'.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ....domain.chains import chain_code_for
from ....models import Achievement, BreakthroughProject, Consortium, QualityProblem, User
from ....models.states import AchievementStatus, ProjectStatus, ShareCondition, ShareLevel
from ...errors import Forbidden, ValidationFailed
from ..consortium import consortia_of
from ..problems.fields import FieldErrors
from . import fields, holders, numbering, records

CHANGEABLE = ("name", "summary", "technical_indicators", "application_scenarios", "ip_type", "right_status",
              "certificate_number", "right_owner", "right_expires_on", "contact_name", "contact_phone",
              "conditions_text", "kind", "contributor_name", "share_level", "share_conditions", "commitment")


def _consortium(ctx, data, contributor, errors):
    value = data.get("consortium_id")
    consortium = ctx.session.get(Consortium, value) if records.is_id(value) else None
    if consortium is None:
        errors.add("consortium_id", _("Choose the consortium the achievement belongs to."))
        return None
    if contributor is not None and not any(c.id == consortium.id for c in consortia_of(ctx.session, contributor)):
        errors.add("consortium_id", _("The contributor's unit is not in this consortium."))
    return consortium


def _project(ctx, data, errors):
    number = str(data.get("project_number") or "")
    if not number:
        return None
    project = ctx.session.execute(select(BreakthroughProject).where(
        BreakthroughProject.number == number)).scalar_one_or_none()
    if project is None or project.status != ProjectStatus.ACCEPTED:
        errors.add("project_number", _("Project %(number)s is not an accepted project.", number=number))
        return None
    return project


def _problem(ctx, data, consortium, errors):
    value = data.get("problem_id")
    if value in (None, ""):
        return None
    problem = ctx.session.get(QualityProblem, value) if records.is_id(value) else None
    if problem is None or (consortium is not None and problem.consortium_id != consortium.id):
        errors.add("problem_id", _("Problem %(id)s is not in this consortium's problem library.", id=value))
        return None
    return problem


def contributor_of(ctx, data):
    """The user who fills in the form: named by the case (`contributor_user`), else the actor."""
    name = str(data.get("contributor_user") or "")
    if name:
        return ctx.session.execute(select(User).where(User.username == name)).scalar_one_or_none()
    return ctx.actor


def register_achievement(ctx, instance, data):
    """The submitted App. G form enters the library as under review, or is revised while it is."""
    records.check_writer(ctx, instance)
    contributor = contributor_of(ctx, data)
    values, errors = fields.admission_values(data)
    consortium = _consortium(ctx, data, contributor, errors)
    project = _project(ctx, data, errors)
    problem = _problem(ctx, data, consortium, errors)
    if errors:
        raise ValidationFailed(_("The admission form has errors."), dict(errors))
    achievement = ctx.session.execute(select(Achievement).where(
        Achievement.instance_id == instance.id)).scalar_one_or_none() if instance is not None else None
    if achievement is None:
        chain = chain_code_for(consortium.chain_domain) or "OTH"
        achievement = Achievement(number=numbering.next_number(ctx.session, chain, ctx.now.year),
                                  consortium_id=consortium.id, chain=chain, status=AchievementStatus.UNDER_REVIEW,
                                  instance_id=instance.id if instance is not None else None, created_at=ctx.now)
        ctx.session.add(achievement)
        event = "achievement_submitted"
    else:
        records.require_status(achievement, AchievementStatus.UNDER_REVIEW)
        event = "achievement_revised"
    for name in CHANGEABLE:
        setattr(achievement, name, values[name])
    achievement.project_id = project.id if project is not None else None
    achievement.problem_id = problem.id if problem is not None else None
    achievement.contributor_user_id = contributor.id if contributor is not None else None
    achievement.contributor_credit_code = records.unit_code(contributor)
    achievement.updated_at = ctx.now
    ctx.session.flush()
    records.record(ctx, event, achievement, instance, name=achievement.name,
                   requested_level=achievement.share_level)
    return achievement


def _decided(level, conditions, conditions_text):
    errors = FieldErrors()
    if level not in ShareLevel.ALL:
        errors.add("share_level", _("Choose one of the listed values."))
    if conditions not in ShareCondition.ALL:
        errors.add("share_conditions", _("Choose one of the listed values."))
    if level == ShareLevel.PAID and conditions == ShareCondition.FREE:
        errors.add("share_conditions", _("A paid achievement cannot be shared free of charge."))
    if len(conditions_text) > fields.LONG_TEXT_LIMIT:
        errors.add("conditions_text", _("At most %(n)d characters.", n=fields.LONG_TEXT_LIMIT))
    if errors:
        raise ValidationFailed(_("The share decision has errors."), dict(errors))


def publish(ctx, achievement_id, level, conditions, conditions_text, opinion, instance=None):
    """The managing body's decision: published at `level` with `conditions`."""
    records.check_writer(ctx, instance)
    achievement = records.load(ctx, achievement_id)
    conditions_text = str(conditions_text or "").strip()
    _decided(level, conditions, conditions_text)
    achievement.share_level, achievement.share_conditions = level, conditions
    achievement.conditions_text = conditions_text
    achievement.review_opinion = str(opinion or "")[:fields.LONG_TEXT_LIMIT]
    achievement.published_at = ctx.now
    records.move(ctx, achievement, AchievementStatus.PUBLISHED, instance, opinion)
    records.record(ctx, "achievement_published", achievement, instance, share_level=level,
                   share_conditions=conditions)
    return achievement


def reject(ctx, achievement_id, opinion, instance=None):
    records.check_writer(ctx, instance)
    achievement = records.load(ctx, achievement_id)
    achievement.review_opinion = str(opinion or "")[:fields.LONG_TEXT_LIMIT]
    records.move(ctx, achievement, AchievementStatus.REJECTED, instance, opinion)
    return achievement


def delist(ctx, achievement_id, reason, instance=None):
    """5.6.4: out of the library; its history stays, readable by the managing body and auditors."""
    records.check_writer(ctx, instance)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for delisting."), {"reason": [_("Required.")]})
    achievement = records.load(ctx, achievement_id)
    achievement.delist_reason = reason[:fields.LONG_TEXT_LIMIT]
    achievement.delisted_at = ctx.now
    holders.tell_of_delisting(ctx, achievement, instance)
    records.move(ctx, achievement, AchievementStatus.DELISTED, instance, reason)
    return achievement


def withdraw(ctx, instance, reason):
    """The admission case ended early (the ending command, case_end.py): an achievement still under
    review is withdrawn; a published one stays in the library (delisting is the managing body's)."""
    achievement = ctx.session.execute(select(Achievement).where(
        Achievement.instance_id == instance.id)).scalar_one_or_none()
    if achievement is not None and achievement.status == AchievementStatus.UNDER_REVIEW:
        records.move(ctx, achievement, AchievementStatus.WITHDRAWN, instance, reason)
    return achievement


def update_right(ctx, achievement_id, right_status, expires_on, instance=None):
    """The delisting review kept the achievement: its right's status and expiry as now known."""
    records.check_writer(ctx, instance)
    achievement = records.load(ctx, achievement_id)
    values, errors = fields.admission_values({**{n: getattr(achievement, n) for n in CHANGEABLE},
                                              "right_status": right_status, "right_expires_on": expires_on,
                                              "commitment": True})
    wrong = {k: v for k, v in errors.items() if k in ("right_status", "right_expires_on")}
    if wrong:
        raise ValidationFailed(_("The review has errors."), wrong)
    achievement.right_status, achievement.right_expires_on = values["right_status"], values["right_expires_on"]
    achievement.updated_at = ctx.now
    records.record(ctx, "achievement_right_updated", achievement, instance, right_status=achievement.right_status,
                   right_expires_on=str(achievement.right_expires_on or ""))
    return achievement


def check_contributor(ctx, achievement):
    """The contributor's own acts (consent to a directed request, accept licence terms)."""
    if records.is_contributor(ctx.actor, achievement):
        return
    raise Forbidden(_("Only the contributor of the achievement may do this."))
