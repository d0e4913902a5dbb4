"""Operations on running cases: incidents of failed steps, and migration batches (one row per case,
so a run can resume after a crash). Suspension and termination live on the case row itself."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import NULLABLE_JSON, UTCDateTime
from .base import Model
from .identity import User, utcnow
from .runtime import ProcessInstance
from .states import IncidentStatus, MigrationItemStatus


class MigrationBatch(Model):
    """Administrator's order to move the chosen cases of one process to another version."""
    __tablename__ = "migration_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100))
    from_version: Mapped[int | None] = mapped_column(Integer)     # None: every version but the target
    to_version: Mapped[int] = mapped_column(Integer)
    target_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    mapping: Mapped[dict | None] = mapped_column(NULLABLE_JSON)   # old element id -> new element id
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # set when no row is pending

    created_by: Mapped[User] = relationship()


class MigrationItem(Model):
    """One case of a batch; each is migrated in its own command, so a crash loses at most one."""
    __tablename__ = "migration_item"
    __table_args__ = (Index("ix_migration_item_batch", "batch_id", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("migration_batch.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    from_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=MigrationItemStatus.PENDING)
    reason: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Incident(Model):
    """A step that failed after a person's decision (a service task, a condition): the decision was
    kept, the case waits at the step that failed, and an administrator corrects the data and
    retries (as a Camunda incident of a failed asynchronous continuation). Failed timers are timer
    jobs parked as incidents (`timer_job.status`)."""
    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_status", "status", "created_at"),
                      Index("ix_incident_instance", "instance_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    element_id: Mapped[str] = mapped_column(String(100), default="")
    element_name: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))    # the decision that led here
    status: Mapped[str] = mapped_column(String(20), default=IncidentStatus.OPEN)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    instance: Mapped[ProcessInstance] = relationship()
