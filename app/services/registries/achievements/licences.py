"""Licence agreements in the library (standard 5.6.2 有偿共享, App. H): what the licence case's
service tasks do to the record (bpmn/licence_agreement.bpmn, docs/licences.md).

applied (recorded after the conflict check; revised while applied) → accepted (by the contributor;
the canonical text's SHA-256 is fixed then) → both parties confirm that hash → in force (registered by
the managing body, the conflict check again under the achievement's lock) → expired (the case's
timer at the end of `term_to`); or refused at any step; or withdrawn when the case ends before the
licence is in force (its applicant cancelled it, or an administrator terminated it: `withdraw`).

Each function runs inside the command of the step that reached the service task; the step's own
command checked that its user may complete the task, and these check again who acts (the
contributor accepts, each party confirms its own side, the managing body registers). Events
(`licence_*`) go to the licence case's chain, after the event of the decision that set them off.
"""
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from .... import localtime
from ....models import Achievement, HumanTask, LicenceAgreement, LicenceConfirmation, Unit, User
from ....models.states import AchievementStatus, LicenceStatus, ShareCondition, ShareLevel, TaskStatus
from ...audit import trail
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...identity.permissions import MANAGING_BODY
from . import licence_conflicts, licence_terms, records
from .access import OVERSEERS, listed_for
from .admission import check_contributor
from .records import is_contributor, unit_code

LICENSOR, LICENSEE = "licensor", "licensee"
PARTIES = (LICENSOR, LICENSEE)
CONFIRM_STEPS = {LICENSEE: "licensee_confirm", LICENSOR: "licensor_confirm"}    # the case's steps


def is_licensee(user, licence):
    code = unit_code(user)
    return user is not None and (user.id == licence.applicant_id or
                                 bool(code and code == licence.licensee_credit_code))


def licensable(achievement):
    """A published achievement shared for pay or under an agreement (App. G 共享条件)."""
    return achievement.status == AchievementStatus.PUBLISHED and (
        achievement.share_level == ShareLevel.PAID or
        achievement.share_conditions in (ShareCondition.PAID, ShareCondition.AGREEMENT))


def check_applicant(session, user, achievement, now):
    """A logged-in user of a unit who sees the achievement's card may apply: not its contributor, and
    not those who oversee the library (the managing body registers licences; the offices, auditors
    and administrators read them)."""
    if user is None:
        raise Forbidden(_("Log in to apply for a licence."))
    if not licensable(achievement):
        raise Conflict(_("Achievement %(number)s is not offered under a licence.", number=achievement.number))
    if session.execute(select(Achievement.id).where(Achievement.id == achievement.id,
                                                    listed_for(user, now))).first() is None:
        raise NotFound(_("Achievement %(id)s does not exist.", id=achievement.id))
    if is_contributor(user, achievement):
        raise Forbidden(_("The contributor cannot take a licence of its own achievement."))
    if OVERSEERS & user.group_keys:
        raise Forbidden(_("The managing body, the offices, auditors and administrators oversee licences; "
                          "they do not take them."))
    if user.unit is None:
        raise Forbidden(_("A licence is granted to a unit: your account belongs to none."))


def record(ctx, event_type, licence, instance=None, **data):
    trail.record_library_event(ctx, event_type, instance, {
        "licence_id": licence.id, "licence_number": licence.number, "achievement_id": licence.achievement_id, **data})


def move(ctx, licence, new, instance=None, reason=""):
    old = licence.status
    if new not in LicenceStatus.TRANSITIONS.get(old, set()):
        raise Conflict(_("Licence agreement %(number)s cannot go from %(old)s to %(new)s.",
                         number=licence.number, old=old, new=new))
    licence.status = new
    record(ctx, "licence_status_changed", licence, instance, **{"from": old, "to": new, "reason": reason or ""})


def of_instance(ctx, instance):
    licence = ctx.session.execute(select(LicenceAgreement).where(
        LicenceAgreement.instance_id == instance.id)).scalar_one_or_none()
    if licence is None:
        raise NotFound(_("The case carries no licence agreement yet."))
    return licence


def _require(licence, *statuses):
    if licence.status not in statuses:
        raise Conflict(_("Licence agreement %(number)s is %(status)s; this needs it to be %(needed)s.",
                         number=licence.number, status=licence.status, needed=", ".join(statuses)))


def checked_terms(ctx, data):
    values, errors = licence_terms.values(data, localtime.today(ctx.now))
    if errors:
        raise ValidationFailed(_("The licence terms have errors."), dict(errors))
    return values


def _next_number(ctx, achievement):
    count = ctx.session.execute(select(func.count(LicenceAgreement.id)).where(
        LicenceAgreement.achievement_id == achievement.id)).scalar_one()
    return f"{achievement.number}-L{count + 1}"


def record_application(ctx, instance, achievement_id, applicant, data):
    """The application enters the library as applied, after the conflict check."""
    records.check_writer(ctx, instance)
    achievement = licence_conflicts.lock_achievement(ctx.session, records.valid_id(achievement_id))
    check_applicant(ctx.session, applicant, achievement, ctx.now)
    values = checked_terms(ctx, data)
    licence_conflicts.check(ctx.session, achievement.id, SimpleNamespace(**values))
    unit = applicant.unit
    licence = LicenceAgreement(
        number=_next_number(ctx, achievement), achievement_id=achievement.id,
        instance_id=instance.id if instance is not None else None, licensor_name=achievement.contributor_name,
        licensee_name=unit.name if unit is not None else applicant.display_name,
        licensee_credit_code=unit.credit_code if unit is not None else "", applicant_id=applicant.id,
        status=LicenceStatus.APPLIED, created_at=ctx.now, **values)
    ctx.session.add(licence)
    ctx.session.flush()
    record(ctx, "licence_applied", licence, instance, licence_type=licence.licence_type,
           licensee=licence.licensee_name, terms=licence_terms.as_data(licence))
    return licence


def revise(ctx, instance, data):
    """The licensee's revised terms, after the contributor returned them (still applied)."""
    records.check_writer(ctx, instance)
    licence = of_instance(ctx, instance)
    _require(licence, LicenceStatus.APPLIED)
    if not is_licensee(ctx.actor, licence):
        raise Forbidden(_("Only the licensee revises the terms."))
    values = checked_terms(ctx, data)
    licence_conflicts.lock_achievement(ctx.session, licence.achievement_id)
    licence_conflicts.check(ctx.session, licence.achievement_id, SimpleNamespace(**values), exclude_id=licence.id)
    for name, value in values.items():
        setattr(licence, name, value)
    record(ctx, "licence_revised", licence, instance, terms=licence_terms.as_data(licence))
    return licence


def accept(ctx, instance, opinion=""):
    """The contributor accepts the terms: the text both parties will confirm is fixed (its hash)."""
    records.check_writer(ctx, instance)
    licence = of_instance(ctx, instance)
    check_contributor(ctx, licence.achievement)
    _require(licence, LicenceStatus.APPLIED)
    licence_conflicts.lock_achievement(ctx.session, licence.achievement_id)
    licence_conflicts.check(ctx.session, licence.achievement_id, licence, exclude_id=licence.id)
    licence.text_sha256 = licence_terms.text_hash(licence)
    move(ctx, licence, LicenceStatus.ACCEPTED, instance, opinion)
    return licence


def _check_party(ctx, licence, party):
    if party == LICENSOR:
        check_contributor(ctx, licence.achievement)
    elif party != LICENSEE or not is_licensee(ctx.actor, licence):
        raise Forbidden(_("Only the licensee confirms on the licensee's side."))


def confirm(ctx, instance, party, text_sha256):
    """One party confirms the agreement: the text it saw must be the accepted text (same SHA-256)."""
    records.check_writer(ctx, instance)
    licence = of_instance(ctx, instance)
    _check_party(ctx, licence, party)
    _require(licence, LicenceStatus.ACCEPTED)
    seen = str(text_sha256 or "").strip().lower()
    if seen != licence.text_sha256 or seen != licence_terms.text_hash(licence):
        raise Conflict(_("The agreement text you confirmed (SHA-256 %(seen)s) is not the accepted text "
                         "(SHA-256 %(expected)s); reload it and confirm again.",
                         seen=seen[:64] or "—", expected=licence.text_sha256),
                       {"agreement_sha256": [_("Not the hash of the accepted text.")]})
    if ctx.session.execute(select(LicenceConfirmation.id).where(
            LicenceConfirmation.licence_id == licence.id, LicenceConfirmation.party == party)).first() is not None:
        raise Conflict(_("The %(party)s has confirmed this agreement already.", party=party))
    ctx.session.add(LicenceConfirmation(licence_id=licence.id, party=party, user_id=ctx.actor.id,
                                        confirmed_at=ctx.now, text_sha256=seen))
    record(ctx, "licence_confirmed", licence, instance, party=party, user=ctx.actor.username,
           confirmed_at=ctx.now.isoformat(), text_sha256=seen)
    return licence


def confirmations(session, licence_id):
    return session.execute(select(LicenceConfirmation).where(LicenceConfirmation.licence_id == licence_id)
                           .order_by(LicenceConfirmation.confirmed_at, LicenceConfirmation.id)).scalars().all()


def register(ctx, instance, opinion=""):
    """The managing body registers the agreement: both parties confirmed the same text, and nothing
    conflicts (checked again under the achievement's lock) → in force."""
    records.check_writer(ctx, instance)
    if ctx.actor is None or MANAGING_BODY not in ctx.actor.group_keys:
        raise Forbidden(_("Only the managing body registers licence agreements."))
    licence = of_instance(ctx, instance)
    _require(licence, LicenceStatus.ACCEPTED)
    licence_conflicts.lock_achievement(ctx.session, licence.achievement_id)
    licence_conflicts.check(ctx.session, licence.achievement_id, licence, exclude_id=licence.id)
    current = licence_terms.text_hash(licence)
    confirmed = {c.party: c.text_sha256 for c in confirmations(ctx.session, licence.id)}
    if set(confirmed) != set(PARTIES) or {*confirmed.values(), licence.text_sha256} != {current}:
        raise Conflict(_("Both parties must confirm the same agreement text before it is registered."))
    licence.registered_at = ctx.now
    move(ctx, licence, LicenceStatus.IN_FORCE, instance, opinion)
    return licence


def refuse(ctx, instance, reason=""):
    """Refused by the contributor, by either party at confirmation, or by the managing body."""
    records.check_writer(ctx, instance)
    licence = of_instance(ctx, instance)
    move(ctx, licence, LicenceStatus.REFUSED, instance, reason)
    return licence


def expire(ctx, instance):
    """The term has ended (the case's timer, at the start of the day after `term_to`)."""
    records.check_writer(ctx, instance)
    licence = of_instance(ctx, instance)
    move(ctx, licence, LicenceStatus.EXPIRED, instance)
    return licence


def withdraw(ctx, instance, reason):
    """The case ended early (the ending command, case_end.py): an application not yet in force is
    withdrawn; a licence in force keeps its term (the read rule ends it after `term_to`)."""
    licence = ctx.session.execute(select(LicenceAgreement).where(
        LicenceAgreement.instance_id == instance.id)).scalar_one_or_none()
    if licence is not None and licence.status in (LicenceStatus.APPLIED, LicenceStatus.ACCEPTED):
        move(ctx, licence, LicenceStatus.WITHDRAWN, instance, reason)
    return licence


def expires_at(licence):
    """The moment the licence ends: the first moment of the local day after `term_to`."""
    return localtime.day_start(licence.term_to + timedelta(days=1))


def licensor_users(session, achievement):
    """User names of the contributor's side: its user and the active users of its unit."""
    side = User.id == achievement.contributor_user_id
    if achievement.contributor_credit_code:
        side = or_(side, User.unit.has(Unit.credit_code == achievement.contributor_credit_code))
    return sorted(session.execute(select(User.username).where(side, User.active.is_(True))).scalars().all())


def open_confirmation(session, licence):
    """The open confirmation step (HumanTask) of the licence's case, or None."""
    if licence.instance_id is None or licence.status != LicenceStatus.ACCEPTED:
        return None
    return session.execute(select(HumanTask).where(
        HumanTask.instance_id == licence.instance_id, HumanTask.status == TaskStatus.OPEN,
        HumanTask.element_id.in_(CONFIRM_STEPS.values()))).scalars().first()
