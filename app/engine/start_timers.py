"""Timer start events: when the scheduler starts a new case of a process by itself.

BPMN says a timer start event creates a new *instance* at each occurrence.
SpiffWorkflow would instead wait inside one instance, so the compiler takes the
timer off the executable start event (the started case runs straight on) and
keeps it here; the service layer turns it into a timer job with its next due
time. Everything in this module is pure: the caller passes the moment.

Supported texts (after the restricted evaluator, with no case data):
- timeDate      `2027-01-05T09:00:00+08:00`: once, at that moment;
- timeDuration  `P7D`: once, that long after the deploy;
- timeCycle     `R[n]/<start>/<period>` or `R[n]/<period>` (the first occurrence
  one period after the deploy); `R` alone repeats for ever, `Rn` n times.
Occurrences that fell before the deploy are skipped, and a late firing (the
app was down) starts one case, then goes on with the next occurrence after now.
"""
import ast
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import LOCALTZ, TimerEventDefinition

from . import expressions
from .errors import N_, ExplainedError, ExpressionError

KINDS = ("timeDate", "timeDuration", "timeCycle")
_MAX_STEPS = 100_000        # calendar-length periods are stepped one by one; far enough for any real cycle
MIN_PERIOD = timedelta(minutes=1)


class StartTimerError(ExplainedError):
    """The timer text cannot be scheduled (the message says why)."""


@dataclass(frozen=True)
class StartTimer:
    element_id: str
    kind: str            # one of KINDS
    expression: str      # as stored in the diagram (literals quoted by the compiler)


@dataclass(frozen=True)
class Cycle:
    start: datetime | None          # None: one period after the anchor (the deploy)
    period: dict[str, float]        # parsed ISO 8601 duration (unit -> count)
    repetitions: int                # -1: for ever


def text_of(timer: StartTimer) -> str:
    """The timer's ISO 8601 text, evaluated without case data (a start has none yet)."""
    try:
        value = expressions.evaluate(expressions.unwrap(timer.expression), {})
    except ExpressionError as exc:
        raise StartTimerError(N_("the timer cannot be evaluated before a case exists: %(reason)s"),
                              reason=str(exc)) from None
    return str(value).strip()


def _duration(text: str) -> dict[str, float]:
    try:
        parsed: dict[str, float] = TimerEventDefinition.parse_iso_duration(text)
    except Exception:
        raise StartTimerError(N_("'%(text)s' is not an ISO 8601 duration"), text=text) from None
    if not any(parsed.values()):
        raise StartTimerError(N_("the period '%(text)s' is zero"), text=text)
    if any(isinstance(parsed.get(unit), float) for unit in ("years", "months")):
        raise StartTimerError(N_("'%(text)s': years and months of a period must be whole numbers"), text=text)
    return parsed


def _check_period(text: str, period: dict[str, float]) -> dict[str, float]:
    # every occurrence starts a case: a period under a minute is a mistake, not a procedure
    if _fixed_length(period) and _nth(datetime(2000, 1, 1, tzinfo=timezone.utc), period, 1) - \
            datetime(2000, 1, 1, tzinfo=timezone.utc) < MIN_PERIOD:
        raise StartTimerError(N_("the period '%(text)s' is shorter than %(minutes)s minute"), text=text,
                              minutes=MIN_PERIOD.seconds // 60)
    return period


def _moment(text: str) -> datetime:
    """The moment as written, keeping its UTC offset: months step on the calendar of that offset
    (`2026-03-01T00:00+08:00` is still 1 March there, though 28 February in UTC). A time
    without an offset is read in the server's offset, as SpiffWorkflow reads other timers."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise StartTimerError(N_("'%(text)s' is not an ISO 8601 date and time"), text=text) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCALTZ)


def _nth(start: datetime, period: dict[str, float], n: int) -> datetime:
    """The n-th occurrence: `start` plus n periods. Months and years count on the calendar from
    `start` (31 January + P1M is 28/29 February, + P2M is 31 March), so occurrences never drift."""
    months = n * (int(period.get("years", 0)) * 12 + int(period.get("months", 0)))
    when = start
    if months:
        index = start.month - 1 + months
        year, month = start.year + index // 12, index % 12 + 1
        when = start.replace(year=year, month=month, day=min(start.day, monthrange(year, month)[1]))
    return when + n * timedelta(weeks=period.get("weeks", 0), days=period.get("days", 0),
                                hours=period.get("hours", 0), minutes=period.get("minutes", 0),
                                seconds=period.get("seconds", 0))


def _fixed_length(period: dict[str, float]) -> bool:
    return not period.get("years") and not period.get("months")


def parse_cycle(text: str) -> Cycle:
    parts = text.upper().split("/")
    if not parts[0].startswith("R") or len(parts) not in (2, 3):
        raise StartTimerError(N_("'%(text)s' is not a cycle of the form R[n]/start/period or R[n]/period"), text=text)
    count = parts[0][1:]
    if count and not count.isdigit():
        raise StartTimerError(N_("'%(text)s' is not a repetition count"), text=parts[0])
    repetitions = int(count) if count else -1
    if repetitions == 0:
        raise StartTimerError(N_("a cycle of R0 never starts a case"))
    if len(parts) == 2:
        return Cycle(None, _check_period(parts[1], _duration(parts[1])), repetitions)
    if parts[1].startswith("P"):
        raise StartTimerError(N_("'%(text)s': give the start before the period (R[n]/start/period)"), text=text)
    return Cycle(_moment(parts[1]), _check_period(parts[2], _duration(parts[2])), repetitions)


_CLOCK_FUNCTIONS = frozenset({"now", "today"})


def validate(timer: StartTimer) -> None:
    """Raise StartTimerError if the timer can never be scheduled (the deploy refuses it)."""
    source = expressions.unwrap(timer.expression)
    try:
        called = {node.func.id for node in ast.walk(ast.parse(source, mode="eval"))
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    except SyntaxError:
        called = set()          # text_of reports it
    if called & _CLOCK_FUNCTIONS:
        raise StartTimerError(N_("a start timer must not depend on the moment it is read (now(), today()): "
                                 "it is read again at every occurrence, so the schedule would move; write the date"))
    text = text_of(timer)
    if timer.kind == "timeDate":
        _moment(text)
    elif timer.kind == "timeDuration":
        _duration(text)
    else:
        parse_cycle(text)


def _occurrence_at_or_after(cycle: Cycle, anchor: datetime, moment: datetime) -> datetime | None:
    """The first occurrence at or after `moment`, or None when the cycle has ended."""
    first = cycle.start or _nth(anchor, cycle.period, 1)
    index = 0
    if first < moment:
        if _fixed_length(cycle.period):
            index = -(-(moment - first) // (_nth(first, cycle.period, 1) - first))   # ceiling division
        else:
            while _nth(first, cycle.period, index) < moment:
                index += 1
                if index > _MAX_STEPS:
                    return None
    if 0 <= cycle.repetitions <= index:
        return None
    return _nth(first, cycle.period, index)


def first_due(timer: StartTimer, anchor: datetime) -> datetime | None:
    """When the first case starts (UTC), for a timer deployed at `anchor`; None if it never will."""
    text = text_of(timer)
    due: datetime | None
    if timer.kind == "timeDate":
        due = _moment(text)                       # a moment already past fires at once
    elif timer.kind == "timeDuration":
        due = _nth(anchor, _duration(text), 1)
    else:
        due = _occurrence_at_or_after(parse_cycle(text), anchor, anchor)
    return due.astimezone(timezone.utc) if due is not None else None


def next_due(timer: StartTimer, anchor: datetime, fired_at: datetime) -> datetime | None:
    """After a firing at `fired_at`: the next occurrence (UTC) strictly after it, or None (the timer is done)."""
    if timer.kind != "timeCycle":
        return None
    due = _occurrence_at_or_after(parse_cycle(text_of(timer)), anchor, fired_at + timedelta(microseconds=1))
    return due.astimezone(timezone.utc) if due is not None else None
