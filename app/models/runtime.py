"""Runtime data: running instances, the inbox rows and their candidates, attachments.

The inbox reads only `human_task` and `task_candidate`; it never deserializes
an instance. Candidate rows exist only while a task is open, so the inbox
indexes stay as small as the open work.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import NULLABLE_JSON, UTCDateTime
from .base import Model
from .identity import User, utcnow
from .repository import ProcessDefinition
from .states import InstanceStatus, TaskStatus


class ProcessInstance(Model):
    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_instance_starter", "started_by_id", "started_at"),
        Index("ix_instance_district", "district", "started_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    business_key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    # who applied, as approvers name them: the initiator's unit, else their name ("" when a timer started it)
    applicant: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=InstanceStatus.RUNNING)
    outcome: Mapped[str] = mapped_column(String(100), default="")
    district: Mapped[str | None] = mapped_column(String(32))
    current_steps: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))   # None: a timer started it
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)    # set while the case is suspended
    end_reason: Mapped[str] = mapped_column(String(500), default="")      # why it ended early (terminate, cancel)

    definition: Mapped[ProcessDefinition] = relationship()
    started_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class HumanTask(Model):
    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_task_assignee_open", "assignee_id", "status", "created_at"),
        Index("ix_task_completed_by", "completed_by_id", "completed_at"),
        Index("ix_task_instance", "instance_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    form_key: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN)
    candidate_groups: Mapped[str] = mapped_column(String(500), default="")
    candidate_users: Mapped[str] = mapped_column(String(500), default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # denormalised for the inbox, so it never joins the instance table
    process_key: Mapped[str] = mapped_column(String(100))
    process_name: Mapped[str] = mapped_column(String(200))
    instance_title: Mapped[str] = mapped_column(String(300), default="")
    applicant: Mapped[str] = mapped_column(String(200), default="")
    business_key: Mapped[str] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision: Mapped[str] = mapped_column(String(30), default="")
    opinion: Mapped[str] = mapped_column(Text, default="")
    draft_data: Mapped[dict | None] = mapped_column(NULLABLE_JSON)
    # on a step with several approvers: the other fields this approver submitted (an expert's scores);
    # a single approver's form goes into the case data instead
    form_data: Mapped[dict | None] = mapped_column(NULLABLE_JSON)
    # approval steps with several approvers (see app/services/workflow/approval/)
    step_mode: Mapped[str] = mapped_column(String(20), default="single")
    slot: Mapped[int] = mapped_column(Integer, default=0)
    # when this visit of the step opened: the rows of one visit share it. A step reopened by 拿回 or
    # 退回 keeps its engine task id, so the visit, not the id, says which signatures decide it.
    visit_opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    plan: Mapped[list | None] = mapped_column(NULLABLE_JSON)          # ordered approvers of the step (user names)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))   # who delegated it
    delegation_state: Mapped[str] = mapped_column(String(20), default="")         # "" | pending | resolved
    last_urged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned: Mapped[bool] = mapped_column(default=False)     # arrived because a later step returned the case
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    instance: Mapped[ProcessInstance] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

    __mapper_args__ = {"version_id_col": version}


class TaskCandidate(Model):
    """Who may claim an open task: one row per candidate group or user."""
    __tablename__ = "task_candidate"
    __table_args__ = (
        Index("ix_candidate_group", "group_key", "task_created_at"),
        Index("ix_candidate_user", "user_id", "task_created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    group_key: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    task_created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(Model):
    """An uploaded file, stored outside the static folder under its SHA-256."""
    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    meta: Mapped[dict | None] = mapped_column(NULLABLE_JSON)


class CarbonCopy(Model):
    """A case copied to someone for information (抄送), with read/unread."""
    __tablename__ = "carbon_copy"
    __table_args__ = (Index("ix_cc_user", "user_id", "read_at", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    element_id: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    instance: Mapped[ProcessInstance] = relationship()
    sender: Mapped[User | None] = relationship(foreign_keys=[sender_id])


class Notification(Model):
    """An in-app message (the bell): new task, CC, urge, return, outcome."""
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user", "user_id", "read_at", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(30))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    message: Mapped[str] = mapped_column(String(500))     # in the default language: e-mail, search, exports
    said: Mapped[dict | None] = mapped_column(NULLABLE_JSON)  # template and values: each reader's language
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
