"""The breakthrough project library (standard §5.5, App. E, App. F): projects, the problems they come
from, their task books (one frozen version per approved change), progress reports, checks (mid-term,
acceptance), change requests and risk alerts. Written only by app/services/registries/projects/.

A task book's content is one JSON document (its shape and its checks are app/domain/task_book.py):
versions are compared as a whole, so the diff between version N and N+1 is a pure function of
the two documents. Targets and milestones carry stable keys (T1, M1 …) that reports and alerts name.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import NULLABLE_JSON, UTCDateTime, db
from .base import Model
from .identity import User, utcnow
from .problems import QualityProblem
from .registry import Consortium

# The problems a project addresses (5.5.2: every project comes from the problem library).
project_problem = Table(
    "project_problem", db.metadata,
    Column("project_id", ForeignKey("breakthrough_project.id", ondelete="CASCADE"), primary_key=True),
    Column("problem_id", ForeignKey("quality_problem.id"), primary_key=True, index=True),
)


class ProjectNumberCounter(Model):
    """The last sequence number given out per chain and year (GZ-XM-<chain>-<year>-<seq>)."""
    __tablename__ = "project_number_counter"
    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class BreakthroughProject(Model):
    """One row of App. E; the lifecycle case (`instance_id`) carries it from proposal to acceptance."""
    __tablename__ = "breakthrough_project"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortium.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    chain: Mapped[str] = mapped_column(String(16), index=True)
    direction: Mapped[str] = mapped_column(String(20), index=True)        # ProjectDirection
    lead_unit_name: Mapped[str] = mapped_column(String(200), index=True)
    participating_units: Mapped[list] = mapped_column(JSON, default=list)  # unit names
    expected_results: Mapped[str] = mapped_column(Text, default="")
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)           # ProjectStatus
    # the highest severity among the open risk alerts ("" when none), kept by the alert commands
    risk_level: Mapped[str] = mapped_column(String(10), default="", index=True)
    task_book_version: Mapped[int] = mapped_column(default=0)             # 0: no task book frozen yet
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    consortium: Mapped[Consortium] = relationship()
    proposer: Mapped[User | None] = relationship()
    problems: Mapped[list[QualityProblem]] = relationship(secondary=project_problem,
                                                          order_by=QualityProblem.number)


class TaskBookVersion(Model):
    """A frozen task book (App. F). Version 1 is the one every party signed; each approved change
    request adds the next. Never updated after it is written."""
    __tablename__ = "task_book_version"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("breakthrough_project.id", ondelete="CASCADE"),
                                            index=True)
    version: Mapped[int] = mapped_column()
    content: Mapped[dict] = mapped_column(JSON)                  # app/domain/task_book.py
    signatures: Mapped[list] = mapped_column(JSON, default=list)  # [{unit, user, name, at}] (version 1)
    change_request_id: Mapped[int | None] = mapped_column(ForeignKey("project_change_request.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ProgressReport(Model):
    """A quarterly progress report (5.5.4a): each milestone's state and each target's current value."""
    __tablename__ = "project_progress_report"
    __table_args__ = (UniqueConstraint("project_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("breakthrough_project.id", ondelete="CASCADE"),
                                            index=True)
    period: Mapped[str] = mapped_column(String(8))               # 2027Q1
    period_end: Mapped[date] = mapped_column(Date)
    task_book_version: Mapped[int] = mapped_column()
    summary: Mapped[str] = mapped_column(Text, default="")
    milestones: Mapped[list] = mapped_column(JSON, default=list)  # [{key, done, note}]
    targets: Mapped[list] = mapped_column(JSON, default=list)     # [{key, value}]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ProjectCheck(Model):
    """An expert check and its recorded result: mid-term (5.5.4b: pass | rectify) or acceptance
    (5.5.5: pass | conditional | fail). A rectification round is a further row with round + 1."""
    __tablename__ = "project_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("breakthrough_project.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(String(12))                # midterm | acceptance
    round: Mapped[int] = mapped_column(default=1)
    result: Mapped[str] = mapped_column(String(12))              # pass | rectify | conditional | fail
    opinion: Mapped[str] = mapped_column(Text, default="")
    rectification_deadline: Mapped[date | None] = mapped_column(Date)
    materials: Mapped[dict | None] = mapped_column(NULLABLE_JSON)   # acceptance: report, target evidence
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ChangeRequest(Model):
    """A change of goal, content, person in charge or period (5.5.4c). It takes effect only when
    approved: then the proposed task book becomes the next version."""
    __tablename__ = "project_change_request"
    __table_args__ = (UniqueConstraint("project_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("breakthrough_project.id", ondelete="CASCADE"),
                                            index=True)
    seq: Mapped[int] = mapped_column()                           # 1, 2 … within the project
    kinds: Mapped[list] = mapped_column(JSON, default=list)      # goal | content | leader | period
    reason: Mapped[str] = mapped_column(Text, default="")
    base_version: Mapped[int] = mapped_column()                  # the task book version it changes
    proposed: Mapped[dict] = mapped_column(JSON)                 # the whole proposed task book
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending | approved | rejected | withdrawn
    opinion: Mapped[str] = mapped_column(Text, default="")
    resulting_version: Mapped[int | None] = mapped_column()
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class RiskAlert(Model):
    """A risk alert (5.5.4d): raised by a due check at its moment or by the team, closed by the event
    that resolves it. `open_key` is `<rule>:<subject>` while open and NULL once closed, so a unique
    index allows one open alert per rule and subject (a second firing cannot open a twin) while
    closed alerts keep their history."""
    __tablename__ = "risk_alert"
    __table_args__ = (UniqueConstraint("project_id", "open_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("breakthrough_project.id", ondelete="CASCADE"),
                                            index=True)
    rule: Mapped[str] = mapped_column(String(24), index=True)    # RiskRule
    subject: Mapped[str] = mapped_column(String(40), default="")  # 2027Q1, M2, T1, midterm-2, …
    severity: Mapped[str] = mapped_column(String(10), index=True)  # high | medium | low
    status: Mapped[str] = mapped_column(String(10), index=True)    # open | closed
    open_key: Mapped[str | None] = mapped_column(String(70))
    message: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict | None] = mapped_column(NULLABLE_JSON)   # the DMN inputs and result
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))   # None: the scheduler
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[BreakthroughProject] = relationship()
    events: Mapped[list["RiskAlertEvent"]] = relationship(order_by="RiskAlertEvent.id",
                                                          cascade="all, delete-orphan")


class RiskAlertEvent(Model):
    """Append-only history of an alert: opened, noted, closed."""
    __tablename__ = "risk_alert_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("risk_alert.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(12))              # opened | note | closed
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
