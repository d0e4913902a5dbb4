"""The scheduler: wakes at the next due time of the timer-job table, and daily for the audit anchor.

Each job only triggers an idempotent service command that the CLI can run too
(`flask fire-timers`, `flask anchor-audit`), so several app processes may run
it: a timer job is claimed in the transaction that acts on it. Between wake-ups
it reads one indexed value — the earliest pending due time — every few seconds,
to notice timers written by other processes; it never sweeps instances.
"""
import logging
import threading
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from .services.audit import replay
from .services.workflow import timer_firing, timer_jobs

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, app, recheck_seconds=5):
        self.app = app
        self.recheck_seconds = recheck_seconds
        self.scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
        self._lock = threading.Lock()
        self._planned = None

    def start(self):
        self.scheduler.add_job(self.anchor, "cron", hour=0, minute=5, id="audit_anchor",
                               coalesce=True, misfire_grace_time=3600)
        self.scheduler.add_job(self.recheck, "interval", seconds=self.recheck_seconds, id="recheck",
                               coalesce=True, max_instances=1)
        self.scheduler.start()
        self.anchor()
        self.wake()          # timers that fell due while the app was down fire now
        return self

    def shutdown(self):
        self.scheduler.shutdown(wait=False)

    def anchor(self):
        with self.app.app_context():
            day = replay.anchor_today()
            if day:
                log.info("audit heads anchored for %s", day)

    def wake(self):
        """Fire what is due, then plan the next wake-up at the next due time.

        A failure (the database busy or down) must not stop the timers: the next
        wake-up is then planned one recheck interval later."""
        with self._lock:
            try:
                with self.app.app_context():
                    fired = timer_firing.fire_due()
                    due = timer_jobs.next_due()
                if fired:
                    log.info("fired %d timer job(s)", fired)
            except Exception:
                log.exception("timer wake-up failed; retrying in %s s", self.recheck_seconds)
                due = datetime.now(timezone.utc) + timedelta(seconds=self.recheck_seconds)
            self._plan(due)

    def recheck(self):
        """Notice jobs written by other processes (one indexed read), and a lost wake-up."""
        if self._lock.locked():
            return
        with self.app.app_context():
            due = timer_jobs.next_due()
        lost = due is not None and self.scheduler.get_job("fire") is None
        if lost or (due is not None and (self._planned is None or due < self._planned)):
            self._plan(due)

    def _plan(self, due):
        self._planned = due
        if due is None:
            if self.scheduler.get_job("fire"):
                self.scheduler.remove_job("fire")
            return
        # max_instances=2: a wake-up planned while one runs must not be dropped (the lock serialises them)
        self.scheduler.add_job(self.wake, "date", run_date=due, id="fire", replace_existing=True,
                               misfire_grace_time=None, coalesce=True, max_instances=2)


def start(app):
    return Scheduler(app, app.config.get("SCHEDULER_RECHECK_SECONDS", 5)).start()
