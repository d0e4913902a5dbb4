"""The public commands of licence agreements: applying (which starts the licence case), a party's
confirmation from the licence page, and revenue entries (5.6.3).

`apply_for_licence` checks the applicant and the terms, then delivers the message that starts the
case (`licence_application`, bpmn/licence_agreement.bpmn) in the same transaction; the case's first
service task records the agreement after the conflict check. Either the application is recorded
with its case, or nothing is (a conflict is a 409 naming the agreement it conflicts with).
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from .... import localtime
from ....extensions import db
from ....models import LicenceRevenue
from ....models.states import LicenceStatus
from ...command import command
from ...errors import Conflict, Forbidden, ValidationFailed
from ...identity.permissions import MANAGING_BODY
from ...workflow import message_routing, tasks
from ...workflow.steps import apply_step
from ..problems.fields import FieldErrors
from . import licence_queries, licence_terms, licences, records

MESSAGE = "licence_application"
MAX_REVENUE = Decimal("999999999999.99")


def apply_for_licence(actor, achievement_id, terms):
    """A logged-in user asks for a licence of an achievement on `terms` (the App. H fields).
    Returns the LicenceAgreement (applied), its case waiting for the contributor."""
    with command(actor) as ctx:
        achievement = records.load(ctx, achievement_id)
        licences.check_applicant(ctx.session, actor, achievement, ctx.now)
        values = licences.checked_terms(ctx, terms)
        variables = {**licence_terms.as_data(values), "achievement_id": achievement.id}
        source = {"actor": actor.username}
        [case] = message_routing.deliver_message(ctx, MESSAGE, variables, source, apply_step)
        licence = licences.of_instance(ctx, case)
    return licence


def party_of(user, licence):
    """The side `user` confirms for, or None (the licensee first, then the licensor)."""
    if licences.is_licensee(user, licence):
        return licences.LICENSEE
    if records.is_contributor(user, licence.achievement):
        return licences.LICENSOR
    return None


def confirm_licence(actor, licence_id, text_sha256):
    """A party confirms the agreement from its page: completes that party's step of the case with the
    hash of the text it was shown (the step's service task checks it against the accepted text)."""
    licence = licence_queries.visible_licence(actor, licence_id)
    party = party_of(actor, licence)
    task = licences.open_confirmation(db.session, licence)
    if party is None or task is None or task.element_id != licences.CONFIRM_STEPS[party]:
        raise Conflict(_("Nothing for you to confirm on licence agreement %(number)s now.", number=licence.number))
    if task.assignee_id is None:
        tasks.claim(actor, task.id)
    return tasks.complete(actor, task.id, {"decision": "approve", "agreement_sha256": str(text_sha256 or "")})


def _revenue_values(received_on, amount, note):
    errors = FieldErrors()
    day = None
    try:
        day = received_on if isinstance(received_on, date) else date.fromisoformat(str(received_on or "").strip())
    except ValueError:
        errors.add("received_on", _("Expected a date (YYYY-MM-DD)."))
    if day is not None and day > localtime.today():
        errors.add("received_on", _("Record money already received: the date may not be in the future."))
    try:
        value = Decimal(str(amount).strip()) if amount is not None and not isinstance(amount, bool) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > MAX_REVENUE or \
            value != value.quantize(Decimal("0.01")):
        errors.add("amount", _("Expected an amount in yuan greater than 0, e.g. 50000.00."))
    note = str(note or "").strip()
    if len(note) > 500:
        errors.add("note", _("At most %(n)d characters.", n=500))
    if errors:
        raise ValidationFailed(_("The revenue entry has errors."), dict(errors))
    return day, value.quantize(Decimal("0.01")), note


def record_revenue(actor, licence_id, received_on, amount, note=""):
    """Money received under a licence in force (or expired): recorded by the managing body or the
    contributor (5.6.3). Returns the LicenceRevenue."""
    with command(actor) as ctx:
        licence = licence_queries.visible_licence(actor, licence_id)
        day, value, note = _revenue_values(received_on, amount, note)
        if MANAGING_BODY not in actor.group_keys and not records.is_contributor(actor, licence.achievement):
            raise Forbidden(_("Only the managing body or the contributor records revenue."))
        if licence.status not in (LicenceStatus.IN_FORCE, LicenceStatus.EXPIRED):
            raise Conflict(_("Revenue is recorded under a licence that is or was in force."))
        entry = LicenceRevenue(licence_id=licence.id, received_on=day, amount=value, note=note,
                               recorded_by_id=actor.id, recorded_at=ctx.now)
        ctx.session.add(entry)
        ctx.session.flush()
        licences.record(ctx, "licence_revenue_recorded", licence, None, revenue_id=entry.id,
                        received_on=day.isoformat(), amount=f"{value:.2f}", note=note)
    return entry
