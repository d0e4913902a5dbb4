"""The working-day calendar administrators keep (holidays and worked weekend days)."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Holiday
from ..audit import trail as audit
from ..command import command
from ..errors import Forbidden, ValidationFailed
from ..identity.permissions import is_admin


def is_working_day(day: date):
    entry = db.session.execute(select(Holiday).where(Holiday.day == day.isoformat())).scalar_one_or_none()
    if entry is not None:
        return entry.working
    return day.weekday() < 5


def set_day(actor, day, name="", working=False):
    """Mark a date as a holiday (working=False) or as a worked weekend day (working=True)."""
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    try:
        date.fromisoformat(day)
    except ValueError:
        raise ValidationFailed(_("Not a date."), {"day": [_("Write the date as YYYY-MM-DD.")]}) from None
    with command(actor) as ctx:
        entry = db.session.execute(select(Holiday).where(Holiday.day == day)).scalar_one_or_none()
        if entry is None:
            entry = Holiday(day=day)
            db.session.add(entry)
        entry.name, entry.working = name, working
        audit.record(ctx, "calendar_changed", actor=actor, data={"day": day, "name": name, "working": working})
    return entry


def remove_day(actor, day):
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    with command(actor) as ctx:
        entry = db.session.execute(select(Holiday).where(Holiday.day == day)).scalar_one_or_none()
        if entry is not None:
            db.session.delete(entry)
            audit.record(ctx, "calendar_changed", actor=actor, data={"day": day, "removed": True})


def days(year=None):
    query = select(Holiday).order_by(Holiday.day)
    if year:
        query = query.where(Holiday.day.like(f"{year}-%"))
    return db.session.execute(query).scalars().all()
