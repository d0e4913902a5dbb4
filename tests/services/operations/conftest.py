"""Fixtures for the operations on running cases: a controllable service clock."""
from datetime import datetime, timezone

import pytest


@pytest.fixture
def clock(app):
    """clock.now is what timer_jobs.now() returns; it starts at the real time, where SpiffWorkflow
    counts a timer from when the case reaches it."""
    class Clock:
        now = datetime.now(timezone.utc)
    app.config["TIMER_CLOCK"] = lambda: Clock.now
    yield Clock
    app.config.pop("TIMER_CLOCK", None)
