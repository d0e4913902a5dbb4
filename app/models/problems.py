"""The quality problem library (standard §5.4, App. C): problems, their links, their status history,
and the per-(chain, year) counters their numbers come from. Written only by
app/services/registries/problems/."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Column, Date, ForeignKey, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import UTCDateTime, db
from .base import Model
from .identity import User, utcnow
from .registry import Consortium

# A link is stored once, the smaller id first; both problems show it.
problem_link = Table(
    "problem_link", db.metadata,
    Column("problem_id", ForeignKey("quality_problem.id", ondelete="CASCADE"), primary_key=True),
    Column("related_id", ForeignKey("quality_problem.id", ondelete="CASCADE"), primary_key=True, index=True),
    CheckConstraint("problem_id < related_id", name="ck_problem_link_ordered"),
)


class ProblemNumberCounter(Model):
    """The last sequence number given out per chain and year (GZ-<chain>-<year>-<seq>)."""
    __tablename__ = "problem_number_counter"
    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class QualityProblem(Model):
    __tablename__ = "quality_problem"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortium.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    chain: Mapped[str] = mapped_column(String(16), index=True)
    industry: Mapped[str] = mapped_column(String(200), default="")
    segment: Mapped[str] = mapped_column(String(16))                       # upstream | midstream | downstream
    link: Mapped[str] = mapped_column(String(100), default="")              # 原材料, 零部件 …
    node: Mapped[str] = mapped_column(String(200), default="")              # the specific node (正极烧结)
    products: Mapped[str] = mapped_column(Text, default="")                 # products or technology involved
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reporter_name: Mapped[str] = mapped_column(String(120), default="")
    reporter_unit_name: Mapped[str] = mapped_column(String(200), index=True)
    report_date: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    defect_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))         # percent
    failure_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))        # percent
    complaints: Mapped[int | None] = mapped_column()
    gap_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))          # gap to the advanced level
    gap_unit: Mapped[str] = mapped_column(String(40), default="")
    gap_text: Mapped[str] = mapped_column(Text, default="")
    impact_scope: Mapped[str] = mapped_column(Text, default="")
    impact_degree: Mapped[str] = mapped_column(Text, default="")
    technical_roots: Mapped[list] = mapped_column(JSON, default=list)          # material, design, process
    technical_root_text: Mapped[str] = mapped_column(Text, default="")
    management_roots: Mapped[list] = mapped_column(JSON, default=list)         # standards, process, skills
    management_root_text: Mapped[str] = mapped_column(Text, default="")
    is_generic: Mapped[bool] = mapped_column(default=False)                   # a common/generic technical problem
    suggestion: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), index=True)
    impact_score: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    diffusion_score: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    urgency_score: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    grade: Mapped[str | None] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("quality_problem.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    consortium: Mapped[Consortium] = relationship()
    reporter: Mapped[User | None] = relationship()
    merged_into: Mapped["QualityProblem | None"] = relationship(remote_side=[id])


class ProblemStatusChange(Model):
    """Append-only: every status a problem entered, who set it, from which case, and why."""
    __tablename__ = "problem_status_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("quality_problem.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))          # None: registered
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="system")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    reason: Mapped[str] = mapped_column(Text, default="")


class ProblemReviewOutcome(Model):
    """Append-only: what a periodic review (5.4.5) decided for a problem (keep, regrade, merge,
    delist), in which review case. The review's summary is counted from these rows."""
    __tablename__ = "problem_review_outcome"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("quality_problem.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    grade_before: Mapped[str | None] = mapped_column(String(20))
    grade_after: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
