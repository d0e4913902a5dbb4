"""Problem numbers: GZ-<chain code>-<year>-<sequence, 4 digits>, e.g. GZ-NEV-2026-0007
(taken as every library's numbers are: app/services/registries/numbering.py)."""
from ....models import ProblemNumberCounter
from .. import numbering

PREFIX = "GZ"


def next_number(session, chain: str, year: int) -> str:
    """The next free number of a chain in a year (inside the registering command)."""
    return numbering.next_number(session, ProblemNumberCounter, PREFIX, chain, year)
