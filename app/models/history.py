"""The audit trail: append-only, hash-chained per instance.

Each event's hash covers its content and the previous event's hash, so an
UPDATE, DELETE or reordering of rows breaks the chain at a findable place.
Events of no instance (deployments) chain under "system".
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import UTCDateTime
from .base import Model
from .identity import utcnow


class AuditEvent(Model):
    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("chain", "seq"), Index("ix_audit_actor", "actor_id", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    type: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[str] = mapped_column(String(100), default="")
    element_name: Mapped[str] = mapped_column(String(200), default="")
    task_id: Mapped[int | None]
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Model):
    """A daily record of every chain's head, itself hash-chained.

    A chain can only prove its own events; deleting a whole case's events
    leaves no broken link. The anchor remembers that the chain existed and
    where its head was, so the deletion is detected.
    """
    __tablename__ = "audit_anchor"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[str] = mapped_column(String(10), unique=True)       # YYYY-MM-DD (UTC): one per day
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heads: Mapped[dict] = mapped_column(JSON)                        # chain -> [seq, hash]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
