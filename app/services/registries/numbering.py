"""Library numbers: <prefix>-<chain code>-<year>-<sequence, 4 digits>, e.g. GZ-NEV-2026-0007
(problems), GZ-XM-NEV-2027-0003 (projects), GZ-CG-NEV-2027-0001 (achievements).

The sequence comes from one counter row per (chain, year) in the library's counter table, taken
and incremented in a single `INSERT … ON CONFLICT DO UPDATE … RETURNING` (PostgreSQL and SQLite
≥ 3.35 alike). On PostgreSQL the statement holds the row's lock until the command commits, so two
records registered at once get consecutive numbers, one after the other, instead of one failing;
the first number of a new year creates the row the same way. On SQLite the command's BEGIN
IMMEDIATE already makes writers take turns. The unique key on each library's `number` column
stays as the last guard.
"""
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

_INSERTS: dict[str, Any] = {   # both dialects' INSERT have on_conflict_do_update
    "postgresql": postgresql.insert, "sqlite": sqlite.insert}


def format_number(prefix: str, chain: str, year: int, seq: int) -> str:
    return f"{prefix}-{chain}-{year}-{seq:04d}"


def next_number(session, counter: Any, prefix: str, chain: str, year: int) -> str:
    """The next free number of a chain in a year from `counter` (a model with chain, year,
    last_seq), inside the registering command."""
    insert = _INSERTS[session.get_bind().dialect.name]
    statement = (insert(counter).values(chain=chain, year=year, last_seq=1)
                 .on_conflict_do_update(index_elements=["chain", "year"], set_={"last_seq": counter.last_seq + 1})
                 .returning(counter.last_seq))
    return format_number(prefix, chain, year, session.execute(statement).scalar_one())
