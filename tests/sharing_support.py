"""Helpers for the directed sharing tests: a published directed achievement of consortium A
(contributed by `applicant`, whose unit's users `applicant` and `leader` answer requests), and the
sharing case and grant of a request."""
from sqlalchemy import select

from app.extensions import db
from app.models import AccessGrant, ProcessInstance
from app.models.states import ShareLevel
from tests.achievement_support import make_achievement
from tests.problem_support import A, make_consortium


def directed_achievement(level=ShareLevel.DIRECTED, **overrides):
    """(consortium A, the id of an achievement of A published at `level`, contributed by applicant)."""
    consortium = make_consortium(A)
    return consortium, make_achievement(consortium, level, **overrides)


def grant_of(grant_id):
    db.session.expire_all()
    return db.session.get(AccessGrant, grant_id)


def case_of(grant):
    return db.session.get(ProcessInstance, grant.instance_id)


def grants_of(achievement_id):
    return db.session.execute(select(AccessGrant).where(AccessGrant.achievement_id == achievement_id)
                              .order_by(AccessGrant.id)).scalars().all()
