"""Directed sharing (定向共享, standard 5.6.2): the only code that writes an AccessGrant.

A logged-in user who sees the card of a published directed achievement, and is not its
contributor, asks to read it for a purpose and a number of days (`sharing_requests.request_sharing`
starts the case bpmn/sharing_request.bpmn with a message). The case's service tasks call these
commands, inside the command of the step that reached them:

- `record_request`: the grant is *requested*; the case learns who at the contributor may answer;
- `grant`: the contributor consented; the requester reads from now until now + the days;
- `refuse`: the contributor refused, or nobody answered in time (the step's timeout policy);
- `expire`: the period is over (the case's timer at `valid_until`);
- `withdraw`: the case ended before the contributor answered (its requester cancelled it, or an
  administrator terminated it; case_end.py, in the ending command).

Who may ask (`refusal`, asked by the request command and again by `record_request`, so a message
sent any other way meets the same rule): a logged-in user who may see the card, not the
contributor side, who cannot read it already and has no request for it that is open or in force;
the period is 1 to 365 days. Only the contributor side consents (`grant` checks the person who
completed the step, whoever the step was handed to); refusing gives nobody anything, so the step's
own checks suffice there. Each change is an audit event on the case's chain
(`achievement_sharing_requested/granted/refused/expired`) and a notification to the requester.
"""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from .... import localtime
from ....models import AccessGrant, Achievement, Unit, User
from ....models.states import AchievementStatus, GrantStatus, ShareLevel
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...notify import notifications
from . import access, records

MIN_DAYS, MAX_DAYS = 1, 365
MAX_PURPOSE = 2000
TIMED_OUT_NOTE = "timeout"       # decision_note of a request nobody answered in time


def _purpose_errors(text):
    if not text:
        return [_("Say what you need the achievement for.")]
    if len(text) > MAX_PURPOSE:
        return [_("At most %(n)d characters.", n=MAX_PURPOSE)]
    return None


def checked_days(days):
    """The number of days as a whole number in range, or None."""
    if isinstance(days, str) and days.strip().isdecimal() and len(days.strip()) < 6:
        days = int(days.strip())
    if not isinstance(days, int) or isinstance(days, bool) or not MIN_DAYS <= days <= MAX_DAYS:
        return None
    return days


def check_input(purpose, days):
    """(purpose, days) as stored, or 422 naming each wrong field."""
    errors = {}
    text = purpose.strip() if isinstance(purpose, str) else ""
    if (wrong := _purpose_errors(text)) is not None:
        errors["purpose"] = wrong
    if (number := checked_days(days)) is None:
        errors["days"] = [_("A whole number of days from %(low)d to %(high)d.", low=MIN_DAYS, high=MAX_DAYS)]
    if errors:
        raise ValidationFailed(_("The sharing request has errors."), errors)
    return text, number


def contributor_usernames(session, achievement):
    """Who answers a request: the contributor's user and the active users of its unit."""
    who = [User.id == achievement.contributor_user_id]
    if achievement.contributor_credit_code:
        who.append(User.unit_id.in_(select(Unit.id).where(Unit.credit_code == achievement.contributor_credit_code)))
    return list(session.execute(select(User.username).where(or_(*who), User.active.is_(True))
                                .order_by(User.username)).scalars())


def open_request(session, requester_id, achievement_id, now: datetime):
    """The requester's request for the achievement that is waiting for an answer or in force."""
    return session.execute(select(AccessGrant).where(
        AccessGrant.requester_id == requester_id, AccessGrant.achievement_id == achievement_id,
        or_(AccessGrant.status == GrantStatus.REQUESTED,
            and_(AccessGrant.status == GrantStatus.GRANTED, AccessGrant.valid_until > now)))
        .limit(1)).scalar_one_or_none()


def _card_visible(session, user, achievement_id, now):
    return session.execute(select(Achievement.id).where(
        Achievement.id == achievement_id, access.listed_for(user, now)).limit(1)).first() is not None


def _level_refusal(achievement):
    """Only a published directed achievement is asked for; the other levels say how to read it."""
    if achievement.status != AchievementStatus.PUBLISHED:
        return Conflict(_("Achievement %(number)s is not published, so it cannot be asked for.",
                          number=achievement.number))
    level = achievement.share_level
    if level == ShareLevel.DIRECTED:
        return None
    if level == ShareLevel.CONSORTIUM:
        return Conflict(_("This achievement is shared inside its consortium only, not by directed request."))
    if level == ShareLevel.PAID:
        return Conflict(_("This achievement is shared under a licence: apply for a licence agreement instead."))
    return Conflict(_("This achievement is public: anyone may read it without asking."))


def refusal(session, requester, achievement, now: datetime):
    """Why `requester` may not ask to read `achievement` now (the error to raise), or None."""
    if requester is None:
        return Forbidden(_("Log in to ask for an achievement."))
    if not _card_visible(session, requester, achievement.id, now):
        return NotFound(_("There is no achievement %(id)s that you may ask for.", id=achievement.id))
    refused = _level_refusal(achievement)
    if refused is not None:
        return refused
    if records.is_contributor(requester, achievement):
        return Forbidden(_("Your unit contributed this achievement; there is nothing to ask for."))
    if open_request(session, requester.id, achievement.id, now) is not None:
        return Conflict(_("You have a request for this achievement that is open or in force."))
    if access.may_read(session, requester, achievement.id, now):
        return Conflict(_("You may read this achievement already."))
    if not contributor_usernames(session, achievement):
        return Conflict(_("Nobody at the contributor has an account to answer the request."))
    return None


def check_requester(ctx, achievement):
    refused = refusal(ctx.session, ctx.actor, achievement, ctx.now)
    if refused is not None:
        raise refused


def _display(user):
    unit = f"（{user.unit.name}）" if user.unit is not None else ""
    return f"{user.display_name}{unit}"


def record_request(ctx, instance, data):
    """The case's first step: the request becomes a grant *requested* by the case's initiator (the
    person whose command delivered the message), checked by the same rule as the request command."""
    achievement = records.load(ctx, data.get("achievement_id"))
    purpose, days = check_input(data.get("purpose"), data.get("days"))
    check_requester(ctx, achievement)
    grant = AccessGrant(achievement_id=achievement.id, requester_id=ctx.actor.id, instance_id=instance.id,
                        purpose=purpose, status=GrantStatus.REQUESTED, requested_at=ctx.now)
    ctx.session.add(grant)
    ctx.session.flush()     # its id goes into the case data and the audit event
    records.record(ctx, "achievement_sharing_requested", achievement, instance, grant_id=grant.id,
                   requester=ctx.actor.username, purpose=purpose, days=days)
    return grant, achievement, contributor_usernames(ctx.session, achievement), _display(ctx.actor)


def load_grant(ctx, instance, grant_id):
    """The grant this case carries (a message or a step may only name its own). Who may change a grant:
    only its sharing request case's steps (a person acts through the step, which checked them)."""
    if instance is None:
        raise Forbidden(_("A sharing request changes only through its case's steps."))
    grant = ctx.session.get(AccessGrant, records.valid_id(grant_id, "grant_id"))
    if grant is None or grant.instance_id != instance.id:
        raise NotFound(_("No such sharing request."))
    return grant


def _move(ctx, grant, new, instance, **data):
    old = grant.status
    if new not in GrantStatus.TRANSITIONS.get(old, set()):
        raise Conflict(_("The sharing request is %(old)s and cannot become %(new)s.", old=old, new=new))
    grant.status = new
    records.record(ctx, f"achievement_sharing_{new}", grant.achievement, instance, grant_id=grant.id,
                   requester=grant.requester.username, **{"from": old, "to": new, **data})


def _tell(ctx, grant, instance, message):
    notifications.notify(ctx, [grant.requester_id], "sharing", message, instance.id if instance else None)


def _when(moment):
    return localtime.local(moment).strftime("%Y-%m-%d %H:%M")


def grant(ctx, instance, grant_id, days, opinion=""):
    """The contributor consented: the requester reads from now for `days` days."""
    record = load_grant(ctx, instance, grant_id)
    achievement = record.achievement
    if ctx.actor is not None and not records.is_contributor(ctx.actor, achievement):
        raise Forbidden(_("Only the contributor of the achievement may consent to sharing it."))
    if _level_refusal(achievement) is not None:      # delisted (or re-levelled) since it was asked for
        raise Conflict(_("Achievement %(number)s is no longer shared by directed request; refuse the request.",
                         number=achievement.number))
    days = checked_days(days)
    if days is None:
        raise ValidationFailed(_("The sharing request has errors."), {"days": [
            _("A whole number of days from %(low)d to %(high)d.", low=MIN_DAYS, high=MAX_DAYS)]})
    record.decided_at = record.valid_from = ctx.now
    record.valid_until = ctx.now + timedelta(days=days)
    record.decision_note = str(opinion or "")[:MAX_PURPOSE]
    _move(ctx, record, GrantStatus.GRANTED, instance, valid_from=localtime.iso(record.valid_from),
          valid_until=localtime.iso(record.valid_until), opinion=record.decision_note)
    _tell(ctx, record, instance, notifications.said(
        "Your request to read %(number)s %(name)s was granted until %(until)s.",
        number=achievement.number, name=achievement.name, until=_when(record.valid_until)))
    return record


def refuse(ctx, instance, grant_id, opinion="", timed_out=False):
    """The contributor refused, or nobody answered within the step's deadline."""
    record = load_grant(ctx, instance, grant_id)
    achievement = record.achievement
    record.decided_at = ctx.now
    record.decision_note = TIMED_OUT_NOTE if timed_out else str(opinion or "")[:MAX_PURPOSE]
    _move(ctx, record, GrantStatus.REFUSED, instance, opinion=record.decision_note, timed_out=timed_out)
    message = notifications.said("Your request to read %(number)s %(name)s had no answer in time and is closed.",
                                 number=achievement.number, name=achievement.name) if timed_out else \
        notifications.said("Your request to read %(number)s %(name)s was refused: %(opinion)s",
                           number=achievement.number, name=achievement.name, opinion=record.decision_note)
    _tell(ctx, record, instance, message)
    return record


def expire(ctx, instance, grant_id):
    """The period is over (the case's timer at `valid_until`): the grant expires."""
    record = load_grant(ctx, instance, grant_id)
    achievement = record.achievement
    _move(ctx, record, GrantStatus.EXPIRED, instance, valid_until=localtime.iso(record.valid_until))
    _tell(ctx, record, instance, notifications.said(
        "Your access to %(number)s %(name)s has ended.", number=achievement.number, name=achievement.name))
    return record


def waiting_grant(session, instance):
    """The grant of a sharing request case, or None (the case has not recorded one)."""
    return session.execute(select(AccessGrant).where(AccessGrant.instance_id == instance.id)).scalar_one_or_none()


def withdraw(ctx, instance, reason):
    """The case ended early: a request still waiting for its answer is withdrawn (nobody decided it).
    A grant already decided keeps its decision: a granted period ends at `valid_until` through the
    read rule."""
    record = waiting_grant(ctx.session, instance)
    if record is not None and record.status == GrantStatus.REQUESTED:
        _move(ctx, record, GrantStatus.WITHDRAWN, instance, reason=reason)
    return record
