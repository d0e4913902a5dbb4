"""Problem numbers: GZ-<chain code>-<year>-<sequence, 4 digits>, e.g. GZ-NEV-2026-0007.

The sequence comes from one counter row per (chain, year), taken and incremented in a single
`INSERT … ON CONFLICT DO UPDATE … RETURNING` (PostgreSQL and SQLite ≥ 3.35 alike). On
PostgreSQL the statement holds the row's lock until the command commits, so two reports
registered at once get consecutive numbers, one after the other, instead of one failing; the
first number of a new year creates the row the same way. On SQLite the command's BEGIN
IMMEDIATE already makes writers take turns. The unique key on `quality_problem.number`
stays as the last guard.
"""
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from ....models import ProblemNumberCounter

PREFIX = "GZ"
_INSERTS: dict[str, Any] = {   # both dialects' INSERT have on_conflict_do_update
    "postgresql": postgresql.insert, "sqlite": sqlite.insert}


def format_number(chain: str, year: int, seq: int) -> str:
    return f"{PREFIX}-{chain}-{year}-{seq:04d}"


def next_number(session, chain: str, year: int) -> str:
    """The next free number of a chain in a year (inside the registering command)."""
    insert = _INSERTS[session.get_bind().dialect.name]
    statement = (insert(ProblemNumberCounter).values(chain=chain, year=year, last_seq=1)
                 .on_conflict_do_update(index_elements=["chain", "year"],
                                        set_={"last_seq": ProblemNumberCounter.last_seq + 1})
                 .returning(ProblemNumberCounter.last_seq))
    seq = session.execute(statement).scalar_one()
    return format_number(chain, year, seq)
