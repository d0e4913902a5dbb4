"""The demo sharing requests (app/services/demo_sharing.py): one waiting for the contributor, one
in force, one refused, on the demo library's directed achievements; loaded once; their cases verify."""
from datetime import datetime, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import AccessGrant, Achievement
from app.services import demo, demo_achievements, demo_sharing
from app.services.audit import trail as audit
from app.services.registries.achievements import access
from app.services.workflow import queries


def test_the_demo_requests_load_once_and_verify(app, user):
    demo.seed_cases()
    demo.seed_problems()
    assert demo_achievements.seed_achievements() > 0
    assert demo_sharing.seed_sharing() == 3
    assert demo_sharing.seed_sharing() == 0                                 # idempotent
    grants = {(g.requester.username, g.status): g for g in db.session.execute(select(AccessGrant)).scalars()}
    assert set(grants) == {("applicant2", "requested"), ("applicant3", "granted"), ("applicant", "refused")}
    nvh = db.session.execute(select(Achievement).where(Achievement.name == demo_sharing.NVH)).scalar_one()
    now = datetime.now(timezone.utc)
    assert access.may_read(db.session, user("applicant3"), nvh.id, now)
    assert not access.may_read(db.session, user("applicant"), nvh.id, now)
    waiting = grants[("applicant2", "requested")].instance_id
    assert waiting in {t.instance_id for t in queries.inbox(user("leader"), per_page=100).items}
    assert all(report.ok for report in audit.verify_all())
