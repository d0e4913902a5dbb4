"""Deployed process and decision definitions: immutable, versioned per key by content hash."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import NULLABLE_JSON, UTCDateTime
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
    # DMN document id -> its source, for the decisions the diagram's business-rule tasks evaluate
    decisions: Mapped[dict | None] = mapped_column(NULLABLE_JSON)
    filename: Mapped[str] = mapped_column(String(200))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class DecisionDefinition(Model):
    """A deployed .dmn file (rules/): the newest version of each is what a deploy of a diagram pins."""
    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("key", "version"), UniqueConstraint("key", "content_hash"))
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)        # the DMN `definitions` id
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    dmn_xml: Mapped[str] = mapped_column(Text)
    decision_ids: Mapped[list] = mapped_column(JSON)
    filename: Mapped[str] = mapped_column(String(200))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
