"""The demo's achievement library, admitted through the admission process: two achievements at each
share level, one of them delisted, one application waiting for the managing body; the pages show
them to the roles that may read them."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Achievement
from app.services import demo, demo_achievements
from app.services.audit import trail as audit


def test_the_demo_achievements_load_once_and_show(app, user, client, login):
    demo.seed_cases()
    demo.seed_problems()
    assert demo_achievements.seed_achievements() == 9
    assert demo_achievements.seed_achievements() == 0                      # idempotent
    counts = dict(db.session.execute(select(Achievement.share_level, func.count()).where(
        Achievement.status.in_(("published", "delisted"))).group_by(Achievement.share_level)).all())
    assert counts == {"public": 2, "consortium": 2, "directed": 2, "paid": 2}
    statuses = dict(db.session.execute(select(Achievement.status, func.count()).group_by(Achievement.status)).all())
    assert statuses == {"published": 7, "delisted": 1, "under_review": 1}
    assert all(report.ok for report in audit.verify_all())
    delisted = db.session.execute(select(Achievement).where(Achievement.status == "delisted")).scalar_one()
    assert client.get("/achievements/public").status_code == 200
    login(client, "manager")
    assert client.get(f"/achievements/{delisted.id}").status_code == 200
    login(client, "city")
    assert client.get(f"/achievements/{delisted.id}").status_code == 404
