"""Project numbers: GZ-XM-<chain code>-<year>-<sequence, 4 digits>, e.g. GZ-XM-NEV-2027-0003
(taken as every library's numbers are: app/services/registries/numbering.py)."""
from ....models import ProjectNumberCounter
from .. import numbering

PREFIX = "GZ-XM"


def next_number(session, chain: str, year: int) -> str:
    """The next free project number of a chain in a year (inside the registering command)."""
    return numbering.next_number(session, ProjectNumberCounter, PREFIX, chain, year)
