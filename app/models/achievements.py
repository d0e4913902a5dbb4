"""The achievement sharing library (standard §5.6, App. G, App. H): achievements, the directed
grants their contributors consent to, licence agreements with the parties' confirmations, and the
revenue received under them. Written only by app/services/registries/achievements/.

Who may read an achievement is decided in one place (registries/achievements/access.py) from its
share level, its status, the reader's consortium, the grants in force and the licences in force.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import UTCDateTime
from .base import Model
from .identity import User, utcnow
from .problems import QualityProblem
from .registry import Consortium


class AchievementNumberCounter(Model):
    """The last sequence number given out per chain and year (GZ-CG-<chain>-<year>-<seq>)."""
    __tablename__ = "achievement_number_counter"
    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class Achievement(Model):
    """One App. G admission form and what became of it. The admission case (`instance_id`) carries
    it from the contributor's form to publication; it stays running while the achievement is
    listed, waiting for its right's expiry or a delisting request (5.6.4)."""
    __tablename__ = "achievement"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortium.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("breakthrough_project.id"), index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("quality_problem.id"), index=True)
    chain: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    contributor_name: Mapped[str] = mapped_column(String(200), index=True)   # full legal name
    contributor_credit_code: Mapped[str] = mapped_column(String(18), default="", index=True)
    contributor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(30), index=True)                # AchievementKind
    summary: Mapped[str] = mapped_column(Text, default="")
    technical_indicators: Mapped[str] = mapped_column(Text, default="")
    application_scenarios: Mapped[str] = mapped_column(Text, default="")
    ip_type: Mapped[str] = mapped_column(String(30), default="")             # IpType
    right_status: Mapped[str] = mapped_column(String(30), default="")        # RightStatus
    certificate_number: Mapped[str] = mapped_column(String(100), default="")
    right_owner: Mapped[str] = mapped_column(String(200), default="")
    right_expires_on: Mapped[date | None] = mapped_column(Date)
    share_level: Mapped[str] = mapped_column(String(20), index=True)         # ShareLevel
    share_conditions: Mapped[str] = mapped_column(String(20), default="")    # ShareCondition
    conditions_text: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    commitment: Mapped[bool] = mapped_column(Boolean, default=False)
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)              # AchievementStatus
    delist_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    consortium: Mapped[Consortium] = relationship()
    problem: Mapped[QualityProblem | None] = relationship()
    contributor_user: Mapped[User | None] = relationship()


class AccessGrant(Model):
    """A directed share (5.6.2): a named requester asked, the contributor consented, and the
    requester may read the achievement from `valid_from` until `valid_until`; the sharing-request
    case's timer ends it then."""
    __tablename__ = "access_grant"
    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievement.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)              # GrantStatus
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    achievement: Mapped[Achievement] = relationship()
    requester: Mapped[User] = relationship()


class LicenceAgreement(Model):
    """An App. H licence agreement: applied for by the licensee, accepted by the contributor,
    registered by the managing body; in force from `term_from` to `term_to` once both parties
    confirmed the same text (`text_sha256`)."""
    __tablename__ = "licence_agreement"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievement.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    licensor_name: Mapped[str] = mapped_column(String(200))
    licensee_name: Mapped[str] = mapped_column(String(200), index=True)
    licensee_credit_code: Mapped[str] = mapped_column(String(18), default="")
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    licence_type: Mapped[str] = mapped_column(String(20))                    # LicenceType
    territory: Mapped[str] = mapped_column(String(200))
    field_of_use: Mapped[str] = mapped_column(String(200))
    term_from: Mapped[date] = mapped_column(Date)
    term_to: Mapped[date] = mapped_column(Date)
    fee_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    payment_schedule: Mapped[str] = mapped_column(Text, default="")
    duties: Mapped[str] = mapped_column(Text, default="")
    liability: Mapped[str] = mapped_column(Text, default="")
    dispute_resolution: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)              # LicenceStatus
    text_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    achievement: Mapped[Achievement] = relationship()
    applicant: Mapped[User | None] = relationship()


class LicenceConfirmation(Model):
    """A party's electronic confirmation of the agreement text: who, when, and the hash of the text
    they saw (also recorded as an audit event in the licence case's chain)."""
    __tablename__ = "licence_confirmation"
    __table_args__ = (UniqueConstraint("licence_id", "party"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licence_agreement.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(20))                           # licensor / licensee
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text_sha256: Mapped[str] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class LicenceRevenue(Model):
    """Money received under a licence (5.6.3: paid-sharing income goes mainly to the contributor)."""
    __tablename__ = "licence_revenue"
    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licence_agreement.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
