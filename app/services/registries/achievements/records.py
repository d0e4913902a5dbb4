"""What every achievement command shares: who may write, loading, audit events and status moves.

Who may write (checked first, in every command):
- a process step (`instance` given): the deployed diagram decided that this step writes the
  library (deploy accepts only whitelisted service-task topics), and the step's own command
  checked the person who completed it;
- the system (no actor: timers, start-up, CLI);
- the managing body, directly (5.6.4: it keeps the library current).
Anyone else, administrators included, is refused.

Events (`achievement_*`) go to the case's chain when a process step acts (it holds the case's row
lock), after the event of the decision that set the step off; to the system chain otherwise.
A status change is the event `achievement_status_changed` (from, to, reason).
"""
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ....models import Achievement
from ....models.states import AchievementStatus
from ...audit import trail
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...identity.permissions import MANAGING_BODY

MAX_ID = 2**63 - 1


def unit_code(user):
    """The unified social credit code of the user's unit ("" for none, or nobody)."""
    return user.unit.credit_code if user is not None and user.unit is not None else ""


def is_contributor(user, achievement):
    """The contributor's side: the user who contributed it, or any user of the contributing unit."""
    code = unit_code(user)
    return user is not None and (user.id == achievement.contributor_user_id or
                                 bool(code and code == achievement.contributor_credit_code))


def contributed_by(user):
    """The same rule as a SQL condition on Achievement."""
    code = unit_code(user)
    own = Achievement.contributor_user_id == user.id
    return or_(own, Achievement.contributor_credit_code == code) if code else own


def check_writer(ctx, instance=None):
    if instance is not None or ctx.actor is None or MANAGING_BODY in ctx.actor.group_keys:
        return
    raise Forbidden(_("Only the managing body or a process may change the achievement library."))


def is_id(value):
    """Whether `value` is a whole number a row's id can be (booleans and out-of-range numbers are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def valid_id(value, field="achievement_id"):
    if not is_id(value):
        raise ValidationFailed(_("No such achievement."), {field: [_("Expected an achievement id.")]})
    return value


def load(ctx, achievement_id, field="achievement_id"):
    achievement = ctx.session.get(Achievement, valid_id(achievement_id, field))
    if achievement is None:
        raise NotFound(_("Achievement %(id)s does not exist.", id=achievement_id))
    return achievement


def of_instance(ctx, instance):
    """The achievement an admission case carries (NotFound before its form was registered)."""
    achievement = ctx.session.execute(select(Achievement).where(
        Achievement.instance_id == instance.id)).scalar_one_or_none()
    if achievement is None:
        raise NotFound(_("The case carries no achievement yet."))
    return achievement


def record(ctx, event_type, achievement, instance=None, **data):
    trail.record_library_event(ctx, event_type, instance,
                               {"achievement_id": achievement.id, "achievement_number": achievement.number, **data})


def move(ctx, achievement, new, instance=None, reason=""):
    """Change the status if the library allows it (else 409), with its audit event."""
    old = achievement.status
    if new not in AchievementStatus.TRANSITIONS.get(old, set()):
        raise Conflict(_("Achievement %(number)s cannot go from %(old)s to %(new)s.",
                         number=achievement.number, old=old, new=new))
    achievement.status = new
    achievement.updated_at = ctx.now
    record(ctx, "achievement_status_changed", achievement, instance, **{"from": old, "to": new, "reason": reason or ""})
    return old


def require_status(achievement, *statuses):
    if achievement.status not in statuses:
        raise Conflict(_("Achievement %(number)s is %(status)s; this needs it to be %(needed)s.",
                         number=achievement.number, status=achievement.status, needed=", ".join(statuses)))
