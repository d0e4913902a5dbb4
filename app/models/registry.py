"""Domain registries created by processes. Consortium: standard §5.2, App. A."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import UTCDateTime
from .base import Model
from .identity import utcnow


class Consortium(Model):
    __tablename__ = "consortium"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    chain_domain: Mapped[str] = mapped_column(String(200))
    lead_unit_name: Mapped[str] = mapped_column(String(200))
    lead_unit_type: Mapped[str] = mapped_column(String(40))
    lead_unit_credit_code: Mapped[str] = mapped_column(String(18), default="")
    lead_person: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40), default="")
    mobile: Mapped[str] = mapped_column(String(40), default="")
    district: Mapped[str] = mapped_column(String(32), index=True)
    goals: Mapped[str] = mapped_column(Text, default="")
    work_plan: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["ConsortiumMember"]] = relationship(
        back_populates="consortium", order_by="ConsortiumMember.id", cascade="all, delete-orphan")


class ConsortiumMember(Model):
    __tablename__ = "consortium_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortium.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    contact: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consortium: Mapped[Consortium] = relationship(back_populates="members")
