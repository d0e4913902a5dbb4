"""Messages and signals between cases: who waits for what, and what arrived for nobody.

`event_subscription` mirrors what each running case waits for (a message or
signal catch, a receive task, a boundary event, an event subprocess start). It
is rewritten with the case at every save, as the inbox rows are, so finding a
message's receivers is one indexed query and never deserializes a case.

`pending_message` keeps a message nobody waited for when it was sent (thrown by
a case, or sent through the API): not an error, a row an administrator sees and
that is delivered when a definition that can receive it is deployed.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import NULLABLE_JSON, UTCDateTime
from .base import Model
from .identity import utcnow


class EventSubscription(Model):
    __tablename__ = "event_subscription"
    __table_args__ = (Index("ix_subscription_event", "kind", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))               # message | signal
    name: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(100))
    spiff_task_id: Mapped[str] = mapped_column(String(36), default="")   # "": an event subprocess start
    business_key: Mapped[str] = mapped_column(String(64))      # the case's, denormalised for correlation
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingStatus:
    PENDING = "pending"
    DELIVERED = "delivered"

    ALL = (PENDING, DELIVERED)


class PendingMessage(Model):
    __tablename__ = "pending_message"
    __table_args__ = (Index("ix_pending_message_open", "status", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(64))
    correlation_keys: Mapped[dict | None] = mapped_column(NULLABLE_JSON)
    variables: Mapped[dict | None] = mapped_column(NULLABLE_JSON)
    source_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    source_element_id: Mapped[str] = mapped_column(String(100), default="")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), default=PendingStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_to_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
