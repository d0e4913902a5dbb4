"""Deployed process and decision definitions: immutable, numbered per key, each with its content hash."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import NULLABLE_JSON, UTCDateTime
from .base import Model
from .identity import utcnow


class ProcessDefinition(Model):
    __tablename__ = "process_definition"
    # the same content may be deployed again as a later version (an administrator's revert)
    __table_args__ = (UniqueConstraint("key", "version"),
                      Index("ix_process_definition_key_content_hash", "key", "content_hash"))
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
    # what the administrator said changed (the modeler requires one; files deployed from bpmn/ have none)
    change_note: Mapped[str | None] = mapped_column(Text)


class DecisionDefinition(Model):
    """A deployed .dmn file (rules/): the newest version of each is what a deploy of a diagram pins."""
    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("key", "version"),
                      Index("ix_decision_definition_key_content_hash", "key", "content_hash"))
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


class DisabledProcessStart(Model):
    """A process key whose new cases administrators have stopped (the row's presence is the switch):
    starting by hand, through the API or a start form is refused; running cases go on."""
    __tablename__ = "disabled_process_start"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    disabled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ModelerDraft(Model):
    """An administrator's unsaved diagram in the modeler, one per administrator and process key;
    the modeler saves it as they edit, and a deploy of that key by them removes it."""
    __tablename__ = "modeler_draft"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
