"""Deployed process definitions: immutable, versioned per key by content hash."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import UTCDateTime
from .base import Model
from .identity import utcnow


class ProcessDefinition(Model):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"), UniqueConstraint("key", "content_hash"))
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict] = mapped_column(JSON)          # form key -> JSON Schema, pinned with the version
    filename: Mapped[str] = mapped_column(String(200))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
