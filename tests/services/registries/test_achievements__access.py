"""Smoke test of the access rule on a published achievement of each level (the full matrix of
levels × roles × read paths is test_achievements__access_matrix.py)."""
from datetime import datetime, timezone

from app.extensions import db
from app.models.states import ShareLevel
from app.services.registries.achievements import access
from tests.achievement_support import make_achievement
from tests.problem_support import A, B, make_consortium, user


def test_levels_for_own_and_other_consortium(app):
    a, _b = make_consortium(A), make_consortium(B)
    ids = {level: make_achievement(a, level) for level in ShareLevel.ALL}
    now = datetime.now(timezone.utc)
    readers = {None: {ShareLevel.PUBLIC}, "applicant": set(ShareLevel.ALL), "leader": set(ShareLevel.ALL),
               "applicant2": {ShareLevel.PUBLIC}, "manager": set(ShareLevel.ALL)}
    for name, levels in readers.items():
        reader = user(name) if name else None
        got = {level for level, i in ids.items() if access.may_read(db.session, reader, i, now)}
        assert got == levels, name
