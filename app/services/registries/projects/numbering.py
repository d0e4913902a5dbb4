"""Project numbers: GZ-XM-<chain code>-<year>-<sequence, 4 digits>, e.g. GZ-XM-NEV-2027-0003.

Taken as the problem numbers are (problems/numbering.py): one counter row per (chain, year),
incremented by a single `INSERT … ON CONFLICT DO UPDATE … RETURNING`, so two proposals registered
at once get consecutive numbers; the unique key on `breakthrough_project.number` is the last guard.
"""
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from ....models import ProjectNumberCounter

PREFIX = "GZ-XM"
_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def format_number(chain: str, year: int, seq: int) -> str:
    return f"{PREFIX}-{chain}-{year}-{seq:04d}"


def next_number(session, chain: str, year: int) -> str:
    """The next free project number of a chain in a year (inside the registering command)."""
    insert = _INSERTS[session.get_bind().dialect.name]
    statement = (insert(ProjectNumberCounter).values(chain=chain, year=year, last_seq=1)
                 .on_conflict_do_update(index_elements=["chain", "year"],
                                        set_={"last_seq": ProjectNumberCounter.last_seq + 1})
                 .returning(ProjectNumberCounter.last_seq))
    return format_number(chain, year, session.execute(statement).scalar_one())
