"""Timer jobs: every moment the system must act by itself, as rows with an indexed due time.

The scheduler wakes at the earliest `due_at` of the pending jobs; it never
sweeps instances. A job is claimed and acted on in one transaction, so with
several processes each fires exactly once.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import NULLABLE_JSON, UTCDateTime
from .base import Model
from .identity import utcnow


class JobStatus:
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"     # the timer's task moved on before it fell due
    INCIDENT = "incident"       # failed after every retry; an administrator must look
    SUSPENDED = "suspended"     # its case is suspended: the job waits, its due moment moves on at resume

    ALL = (PENDING, DONE, CANCELLED, INCIDENT, SUSPENDED)


class TimerJob(Model):
    __tablename__ = "timer_job"
    __table_args__ = (Index("ix_timer_job_due", "status", "due_at"),
                      Index("ix_timer_job_instance", "instance_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))              # bpmn_timer | task_due | start_timer
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))   # None: start_timer
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id",
                                                                 name="fk_timer_job_definition"))
    element_id: Mapped[str] = mapped_column(String(100), default="")
    spiff_task_id: Mapped[str] = mapped_column(String(36), default="")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    fired: Mapped[int] = mapped_column(Integer, default=0)     # times it acted (reminders repeat)
    policy: Mapped[dict | None] = mapped_column(NULLABLE_JSON)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Holiday(Model):
    """The working-day calendar administrators keep: holidays, and weekend days made working days (调休)."""
    __tablename__ = "holiday"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[str] = mapped_column(String(10), unique=True)   # YYYY-MM-DD
    name: Mapped[str] = mapped_column(String(100), default="")
    working: Mapped[bool] = mapped_column(default=False)        # True: a weekend day that is worked
