"""Due dates of user tasks (`camunda:dueDate`): an ISO 8601 duration counted
from now, an ISO date-time, or a `${...}` expression giving either."""
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import expressions


def add_working_days(start: datetime, days: int, is_working_day: Callable[[date], bool]) -> datetime:
    """`days` working days after `start` (same time of day)."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if is_working_day(moment.date()):
            days -= 1
    return moment


def weekday_calendar(day: date) -> bool:
    return day.weekday() < 5


def due_at(text: str | None, data: Mapping[str, Any] | None, now: datetime | None = None,
           working_days: bool = False,
           is_working_day: Callable[[date], bool] = weekday_calendar) -> datetime | None:
    """The due time of a step; with working_days, a whole-day duration (P3D) counts working days only."""
    if not text:
        return None
    value = expressions.evaluate(text, data) if "${" in text else text.strip()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    value = str(value)
    now = now or datetime.now(timezone.utc)
    if value.upper().startswith("P"):
        parsed = TimerEventDefinition.parse_iso_duration(value)
        if working_days and set(parsed) <= {"days", "weeks"}:
            days = int(parsed.get("days", 0)) + 7 * int(parsed.get("weeks", 0))
            return add_working_days(now, days, is_working_day)
        delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, now)
        return now + delta
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
