"""Achievement numbers: GZ-CG-<chain code>-<year>-<sequence, 4 digits>, e.g. GZ-CG-NEV-2027-0001
(taken as every library's numbers are: app/services/registries/numbering.py)."""
from ....models import AchievementNumberCounter
from .. import numbering

PREFIX = "GZ-CG"


def next_number(session, chain: str, year: int) -> str:
    """The next free achievement number of a chain in a year (inside the registering command)."""
    return numbering.next_number(session, AchievementNumberCounter, PREFIX, chain, year)
