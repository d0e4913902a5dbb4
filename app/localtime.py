"""The one clock people read: times are stored as aware UTC and shown, typed and cut into days in
the programme's time zone (CHAINQ_TIMEZONE, Asia/Shanghai by default). A case numbered on a
Beijing day is found by that day's date filter, and the case page, replay and exports show the
same moment as the same local time."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def zone_named(name: str) -> ZoneInfo:
    """The zone, or ValueError naming the setting (checked when the app starts)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"CHAINQ_TIMEZONE: '{name}' is not a time zone name such as Asia/Shanghai") from None


def zone() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return zone_named(name)


def aware(moment: datetime) -> datetime:
    """Stored naive values are UTC (the column type normally makes them aware already)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def local(moment: datetime) -> datetime:
    return aware(moment).astimezone(zone())


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the local offset (2026-11-05T09:30:00.123456+08:00): for machines and people alike."""
    return local(moment).isoformat(timespec="microseconds") if moment is not None else None


def today(now: datetime | None = None) -> date:
    return local(now or datetime.now(timezone.utc)).date()


def day_start(day: date) -> datetime:
    """The first moment of a local day, in UTC (a date filter's lower bound)."""
    return datetime.combine(day, time.min, tzinfo=zone()).astimezone(timezone.utc)


def day_end(day: date) -> datetime:
    """The last moment of a local day, in UTC (a date filter's inclusive upper bound)."""
    return datetime.combine(day, time.max, tzinfo=zone()).astimezone(timezone.utc)
