"""The working-day calendar administrators keep (holidays and worked weekend days)."""
from dataclasses import dataclass
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


def working_days_of(ctx):
    """`is_working_day` for the length of a command: the calendar's exceptions (a few dozen days a
    year) are read once, not once per day counted."""
    rule = ctx.memo.get("working_days")
    if rule is None:
        exceptions = dict(ctx.session.execute(select(Holiday.day, Holiday.working)).all())

        def rule(day: date) -> bool:
            return exceptions.get(day.isoformat(), day.weekday() < 5)
        ctx.memo["working_days"] = rule
    return rule


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


# --- a year's holidays at once ------------------------------------------------------------------

# a third column (or a word in the name) saying the day is worked: a weekend day made a working day
WORKDAY_WORDS = frozenset({"workday", "working", "work", "1", "true", "yes", "上班", "补班", "调休上班", "班", "是"})
HOLIDAY_WORDS = frozenset({"holiday", "0", "false", "no", "休", "休息", "放假", "否"})
MAX_IMPORT_LINES = 400


@dataclass
class CalendarLine:
    """One parsed line of an import: its number in the text, the day and what it is."""
    line: int
    day: str
    name: str
    working: bool


def _fields(text):
    """A line's fields: comma- or tab-separated (CSV, a spreadsheet's paste), else by spaces."""
    for separator in (",", "\t", "，"):
        if separator in text:
            return [part.strip().strip('"') for part in text.split(separator)]
    return text.split(None, 1) if " " in text or "\u3000" in text else [text]


def _parse_day(text):
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


def _parse_line(number, text, year):
    """A CalendarLine, or the message saying what is wrong with the line."""
    fields = [f for f in _fields(text.replace("\u3000", " ")) if f != ""] or [""]
    day = _parse_day(fields[0])
    if day is None:
        return _("Line %(n)d: %(text)s is not a date; write it as YYYY-MM-DD.", n=number, text=fields[0][:40])
    if year and day.year != year:
        return _("Line %(n)d: %(day)s is not in %(year)d.", n=number, day=day.isoformat(), year=year)
    name, working = (fields[1] if len(fields) > 1 else ""), None
    if len(fields) > 2:
        kind = fields[2].strip().lower()
        if kind not in WORKDAY_WORDS | HOLIDAY_WORDS:
            return _("Line %(n)d: the third column says %(text)s; write workday or holiday.", n=number,
                     text=fields[2][:40])
        working = kind in WORKDAY_WORDS
    elif len(fields) > 1:
        working = any(word in name for word in ("上班", "补班")) or name.strip().lower() in WORKDAY_WORDS
    if len(name) > 100:
        return _("Line %(n)d: the name is longer than 100 characters.", n=number)
    if working and day.weekday() < 5:
        return _("Line %(n)d: %(day)s is a weekday, a working day already; only a weekend day can be marked "
                 "as worked.", n=number, day=day.isoformat())
    return CalendarLine(number, day.isoformat(), name.strip(), bool(working))


def parse_holidays(text, year=None):
    """The lines of a pasted or uploaded list ("2027-01-01 元旦", "2027-02-07,调休上班,workday"), and
    the errors by line (`lines.<n>`). Empty lines and lines starting with # are skipped, and so is a
    first line that is a header (date,name,…)."""
    entries, errors, seen = [], {}, {}
    lines = (text or "").splitlines()
    if len(lines) > MAX_IMPORT_LINES:
        return [], {"text": [_("At most %(n)d lines at once.", n=MAX_IMPORT_LINES)]}
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip().lstrip("\ufeff")
        if not stripped or stripped.startswith("#"):
            continue
        if not entries and not errors and _parse_day(_fields(stripped)[0].strip()) is None and \
                _fields(stripped)[0].strip().lower() in ("date", "day", "日期"):
            continue
        parsed = _parse_line(number, stripped, year)
        if isinstance(parsed, CalendarLine):
            if parsed.day in seen:
                errors[f"lines.{number}"] = [_("Line %(n)d: %(day)s is listed already on line %(first)d.",
                                               n=number, day=parsed.day, first=seen[parsed.day])]
                continue
            seen[parsed.day] = number
            entries.append(parsed)
        else:
            errors[f"lines.{number}"] = [parsed]
    if not entries and not errors:
        errors["text"] = [_("No dates were given.")]
    return entries, errors


def import_holidays(actor, text, year=None):
    """Enter every line of a list, or none of them when any line is wrong (ValidationFailed naming
    each line). A date already entered the same way is left as it is, so importing the same list
    again changes nothing and records nothing. Returns (added, changed)."""
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    entries, errors = parse_holidays(text, year)
    if errors:
        raise ValidationFailed(_("Nothing was imported: correct the lines named below."), errors)
    with command(actor) as ctx:
        existing = {h.day: h for h in ctx.session.execute(
            select(Holiday).where(Holiday.day.in_([e.day for e in entries]))).scalars()}
        added, changed = [], []
        for entry in entries:
            row = existing.get(entry.day)
            if row is None:
                ctx.session.add(Holiday(day=entry.day, name=entry.name, working=entry.working))
                added.append(entry.day)
            elif (row.name, row.working) != (entry.name, entry.working):
                row.name, row.working = entry.name, entry.working
                changed.append(entry.day)
        if added or changed:
            audit.record(ctx, "holidays_imported", actor=actor, data={
                "year": year, "added": added, "changed": changed, "lines": len(entries)})
    return added, changed
