"""The task book of a breakthrough project (standard App. F) as one JSON document: its checks,
the keys of its rows, the diff between two versions, and the target trajectory the risk rules
compare reports with. Pure functions: no database, no Flask.

A document (every value as the form sends it; numbers as decimal strings):
    name, leader, period_start, period_end (YYYY-MM-DD), research_content, technical_route,
    targets:      [{key, kind, name, unit, baseline, target, product}]
                  kind technical: parameter `name` from `baseline` to `target` in `unit`;
                  kind quality: pass rate `name` from `baseline` % to `target` %;
                  kind application: line/product `product`, demonstrated in `target` enterprises;
    organisation: [{unit, person, task}],
    milestones:   [{key, name, due (YYYY-MM-DD), deliverable}],
    budget:       [{item, amount (10k yuan), source}].
Targets and milestones keep their key (T1, M1 …) from version to version; a new row gets the next
free key. Reports and alerts name rows by key, so a renamed milestone is still the same milestone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

TARGET_KINDS = ("technical", "quality", "application")
TEXT_FIELDS = ("name", "leader", "research_content", "technical_route")
TABLES = {
    "targets": ("key", "kind", "name", "unit", "baseline", "target", "product"),
    "organisation": ("unit", "person", "task"),
    "milestones": ("key", "name", "due", "deliverable"),
    "budget": ("item", "amount", "source"),
}
KEY_PREFIX = {"targets": "T", "milestones": "M"}
MAX_ROWS = 50


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(_text(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def number(value: Any) -> Decimal | None:
    """A finite decimal from a form value ("12.5", 12.5), or None."""
    return _decimal(value)


def normalise(document: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The document with trimmed texts, only the known fields, and a key on every target and
    milestone (kept when given, else the next free one after those in `previous`)."""
    result: dict[str, Any] = {name: _text(document.get(name)) for name in (*TEXT_FIELDS, "period_start",
                                                                              "period_end")}
    for table, columns in TABLES.items():
        rows = document.get(table) or []
        rows = [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []
        result[table] = [{column: _text(row.get(column)) for column in columns} for row in rows]
    for table, prefix in KEY_PREFIX.items():
        used = {row.get("key") for row in (previous or {}).get(table, []) or []} | \
               {row["key"] for row in result[table] if row["key"]}
        number = max([int(k[1:]) for k in used if isinstance(k, str) and k[1:].isdigit()] or [0])
        for row in result[table]:
            if not row["key"]:
                number += 1
                row["key"] = f"{prefix}{number}"
    return result


def check(document: Mapping[str, Any]) -> dict[str, list[str]]:
    """Problems of a normalised document, by field path (`targets.0.target`), in English: the
    services translate them. Empty when the task book may be frozen."""
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    for name in ("name", "leader", "research_content", "technical_route"):
        if not document.get(name):
            add(name, "required")
    start, end = _day(document.get("period_start")), _day(document.get("period_end"))
    for name, day in (("period_start", start), ("period_end", end)):
        if day is None:
            add(name, "a date YYYY-MM-DD is required")
    if start and end and end <= start:
        add("period_end", "the period must end after it starts")
    for table in TABLES:
        if len(document.get(table, [])) > MAX_ROWS:
            add(table, f"at most {MAX_ROWS} rows")
    for table in ("targets", "organisation", "milestones"):
        if not document.get(table):
            add(table, "at least one row is required")
    _check_targets(document.get("targets", []), add)
    _check_milestones(document.get("milestones", []), start, end, add)
    _check_plain_tables(document, add)
    return errors


def _check_plain_tables(document: Mapping[str, Any], add: Any) -> None:
    for i, row in enumerate(document.get("organisation", [])):
        for column in ("unit", "person", "task"):
            if not row.get(column):
                add(f"organisation.{i}.{column}", "required")
    for i, row in enumerate(document.get("budget", [])):
        if not row.get("item"):
            add(f"budget.{i}.item", "required")
        amount = _decimal(row.get("amount"))
        if amount is None or amount < 0:
            add(f"budget.{i}.amount", "a number of at least 0 is required")


def _check_targets(rows: list[dict[str, str]], add: Any) -> None:
    keys: set[str] = set()
    for i, row in enumerate(rows):
        if row["key"] in keys:
            add(f"targets.{i}.key", "the key is used twice")
        keys.add(row["key"])
        if row["kind"] not in TARGET_KINDS:
            add(f"targets.{i}.kind", "one of: " + ", ".join(TARGET_KINDS))
        need = ("product", "target") if row["kind"] == "application" else ("name", "baseline", "target")
        for column in need:
            if not row.get(column):
                add(f"targets.{i}.{column}", "required")
        for column in ("baseline", "target"):
            if row.get(column) and _decimal(row[column]) is None:
                add(f"targets.{i}.{column}", "a number is required")
        if row["kind"] == "quality":
            for column in ("baseline", "target"):
                number = _decimal(row.get(column))
                if number is not None and not 0 <= number <= 100:
                    add(f"targets.{i}.{column}", "a pass rate is between 0 and 100")
        if row["kind"] == "application":
            number = _decimal(row.get("target"))
            if number is not None and (number < 1 or number != number.to_integral_value()):
                add(f"targets.{i}.target", "a whole number of enterprises, at least 1")


def _check_milestones(rows: list[dict[str, str]], start: date | None, end: date | None, add: Any) -> None:
    keys: set[str] = set()
    for i, row in enumerate(rows):
        if row["key"] in keys:
            add(f"milestones.{i}.key", "the key is used twice")
        keys.add(row["key"])
        if not row.get("name"):
            add(f"milestones.{i}.name", "required")
        due = _day(row.get("due"))
        if due is None:
            add(f"milestones.{i}.due", "a date YYYY-MM-DD is required")
        elif start and end and not start <= due <= end:
            add(f"milestones.{i}.due", "the date must lie within the project period")


# --- the diff between two versions ------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One difference: `path` is a field (`period_end`) or a row (`milestones.M2`, `organisation.3`);
    `kind` added | removed | changed; `before`/`after` the values (a row as a dict)."""
    path: str
    kind: str
    before: Any = None
    after: Any = None


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """What changed from `old` to `new`: fields first, then each table's rows. Keyed tables
    (targets, milestones) are matched by key; the others by position."""
    changes = [Change(name, "changed", old.get(name, ""), new.get(name, ""))
               for name in (*TEXT_FIELDS, "period_start", "period_end") if old.get(name, "") != new.get(name, "")]
    for table in TABLES:
        changes.extend(_diff_rows(table, old.get(table) or [], new.get(table) or []))
    return changes


def _diff_rows(table: str, old: list[dict[str, str]], new: list[dict[str, str]]) -> Iterable[Change]:
    if table in KEY_PREFIX:
        before = {row.get("key", ""): row for row in old}
        after = {row.get("key", ""): row for row in new}
    else:
        before = {str(i + 1): row for i, row in enumerate(old)}
        after = {str(i + 1): row for i, row in enumerate(new)}
    for key in before:
        if key not in after:
            yield Change(f"{table}.{key}", "removed", before[key], None)
        elif before[key] != after[key]:
            yield Change(f"{table}.{key}", "changed", before[key], after[key])
    for key in after:
        if key not in before:
            yield Change(f"{table}.{key}", "added", None, after[key])


# --- schedule helpers -------------------------------------------------------------------------

def period(document: Mapping[str, Any]) -> tuple[date | None, date | None]:
    return _day(document.get("period_start")), _day(document.get("period_end"))


def midpoint(document: Mapping[str, Any]) -> date | None:
    """The middle day of the project period: when the mid-term check falls due (5.5.4b)."""
    start, end = period(document)
    return start + (end - start) / 2 if start and end else None


def milestone_dates(document: Mapping[str, Any]) -> dict[str, date]:
    return {row["key"]: day for row in document.get("milestones", []) if (day := _day(row.get("due")))}


def expected_value(target: Mapping[str, Any], start: date, end: date, on: date) -> Decimal | None:
    """Where a target should stand on `on` if it moved in a straight line from its baseline at the
    start of the period to its value at the end (an application target starts from 0)."""
    goal = _decimal(target.get("target"))
    base = Decimal(0) if target.get("kind") == "application" else _decimal(target.get("baseline"))
    if goal is None or base is None or end <= start:
        return None
    share = Decimal(min(max((on - start).days, 0), (end - start).days)) / Decimal((end - start).days)
    return base + (goal - base) * share


def lag_percent(target: Mapping[str, Any], value: Any, start: date, end: date, on: date) -> Decimal | None:
    """How far a reported value is behind its trajectory, in percent of the planned change so far
    (0 when on or ahead of it). None when it cannot be computed (no number, nothing planned yet)."""
    reported, expected = _decimal(value), expected_value(target, start, end, on)
    base = Decimal(0) if target.get("kind") == "application" else _decimal(target.get("baseline"))
    if reported is None or expected is None or base is None or expected == base:
        return None
    planned = expected - base          # negative when the target is to lower a value (a defect rate)
    behind = (expected - reported) / planned * 100
    return max(behind, Decimal(0)).quantize(Decimal("0.1"))


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_end(label: str) -> date:
    """The last day of a quarter label (2027Q1 → 2027-03-31)."""
    year, quarter = int(label[:4]), int(label[5:])
    month = quarter * 3
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
