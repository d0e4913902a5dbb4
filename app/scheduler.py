"""Background jobs. Each job only triggers an idempotent service command that
the CLI can run too, so several app processes may run the scheduler safely."""
import logging

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)


def _anchor(app):
    from .services import replay
    with app.app_context():
        day = replay.anchor_today()
        if day:
            log.info("audit heads anchored for %s", day)


def start(app):
    """Anchor today's audit heads now (catching up after downtime) and every day after midnight UTC."""
    scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    scheduler.add_job(_anchor, "cron", hour=0, minute=5, args=[app], id="audit_anchor",
                      coalesce=True, misfire_grace_time=3600)
    scheduler.start()
    _anchor(app)
    return scheduler
