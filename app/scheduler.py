"""The scheduler: wakes at the next due time of the timer-job table, and daily for the audit anchor.

Each job only triggers an idempotent service command that the CLI can run too
(`flask fire-timers`, `flask anchor-audit`), so several scheduler processes may
run: a timer job is claimed in the transaction that acts on it. Between wake-ups
it reads one indexed value — the earliest pending due time — every few seconds,
to notice timers written by other processes; it never sweeps instances.

In production it runs as its own process (`flask scheduler`, `run()` below);
`SCHEDULER_IN_APP` also starts it inside a serving process (the development server).

When the database is gone, a read or a wake-up logs one line (no traceback) and
the scheduler backs off: it tries again after 1, 2, 4 … recheck intervals, at most
SCHEDULER_BACKOFF_MAX_SECONDS apart, and picks up where it was when the database
answers again. Every wake-up and recheck logs under a request id of its own.
"""
import logging
import signal
import threading
import time
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import InterfaceError, OperationalError

from .ops import logs, metrics
from .services.audit import replay
from .services.workflow import timer_firing, timer_jobs

log = logging.getLogger(__name__)
# what a lost or refused database connection raises (SQLite: a locked or unreadable file)
DATABASE_DOWN = (OperationalError, InterfaceError)


class Backoff:
    """Exponential backoff while the database is unavailable: delay = base * 2**(failures-1), capped."""

    def __init__(self, base_seconds, max_seconds):
        self.base, self.max = base_seconds, max(max_seconds, base_seconds)
        self.failures = 0
        self.retry_at = 0.0          # time.monotonic() before which nobody should try

    def failed(self):
        self.failures += 1
        delay = min(self.max, self.base * 2 ** (self.failures - 1))
        self.retry_at = time.monotonic() + delay
        return delay

    def waiting(self):
        return self.failures > 0 and time.monotonic() < self.retry_at

    def succeeded(self):
        """True when this success ends an outage."""
        was_down, self.failures, self.retry_at = self.failures > 0, 0, 0.0
        return was_down


def _one_line(exc):
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''}"


class Scheduler:
    def __init__(self, app, recheck_seconds=5, backoff_max_seconds=60):
        self.app = app
        self.recheck_seconds = recheck_seconds
        self.backoff = Backoff(recheck_seconds, backoff_max_seconds)
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
        with logs.bound_request_id(logs.new_request_id("anchor-")):
            try:
                with self.app.app_context():
                    day = replay.anchor_today()
            except DATABASE_DOWN as exc:     # tomorrow's run, or the next start, anchors the day
                log.warning("audit anchor skipped, database unavailable: %s", _one_line(exc))
                return
            if day:
                log.info("audit heads anchored for %s", day)

    def wake(self):
        """Fire what is due, then plan the next wake-up at the next due time.

        A failure must not stop the timers: the next wake-up is planned one
        recheck interval later, or later still while the database is gone."""
        with self._lock, logs.bound_request_id(logs.new_request_id("timers-")):
            try:
                with self.app.app_context():
                    fired = timer_firing.fire_due(on_fired=_observe_lag)
                    due = timer_jobs.next_due()
                if self.backoff.succeeded():
                    log.info("database available again; timers fire")
                if fired:
                    log.info("fired %d timer job(s)", fired)
            except DATABASE_DOWN as exc:
                delay = self.backoff.failed()
                log.warning("timer wake-up: database unavailable (%s); retrying in %.1f s", _one_line(exc), delay)
                due = datetime.now(timezone.utc) + timedelta(seconds=delay)
            except Exception:
                log.exception("timer wake-up failed; retrying in %s s", self.recheck_seconds)
                due = datetime.now(timezone.utc) + timedelta(seconds=self.recheck_seconds)
            self._plan(due)

    def recheck(self):
        """Notice jobs written by other processes (one indexed read), and a lost wake-up."""
        if self._lock.locked() or self.backoff.waiting():
            return
        with logs.bound_request_id(logs.new_request_id("recheck-")):
            try:
                with self.app.app_context():
                    due = timer_jobs.next_due()
            except DATABASE_DOWN as exc:
                delay = self.backoff.failed()
                log.warning("timer recheck: database unavailable (%s); retrying in %.1f s", _one_line(exc), delay)
                return
            if self.backoff.succeeded():
                log.info("database available again")
                self.wake()          # whatever fell due meanwhile fires now; plans the next wake-up
                return
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


def _observe_lag(kind, due_at):
    """After a firing committed: how late it was (the metric chainq_timer_lag_seconds)."""
    metrics.TIMER_LAG.labels(kind).observe(max(0.0, (datetime.now(timezone.utc) - due_at).total_seconds()))


def start(app):
    return Scheduler(app, app.config["SCHEDULER_RECHECK_SECONDS"], app.config["SCHEDULER_BACKOFF_MAX_SECONDS"]).start()


def run(app, stop=None, metrics_port=None):
    """The scheduler as a process of its own (`flask scheduler`): runs until SIGTERM or SIGINT (or `stop`)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
    if metrics_port:
        metrics.serve(metrics_port)
        log.info("scheduler metrics at http://127.0.0.1:%s/metrics", metrics_port)
    running = start(app)
    log.info("scheduler running (recheck every %s s)", running.recheck_seconds)
    stop.wait()
    running.shutdown()
    log.info("scheduler stopped")
