"""Users, groups and units (enterprises, institutions, offices)."""
from datetime import datetime, timezone

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import UTCDateTime, db
from .base import Model

user_groups = Table(
    "user_group", db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("user_group_def.id", ondelete="CASCADE"), primary_key=True),
)


def utcnow():
    return datetime.now(timezone.utc)


class Unit(Model):
    """An organisation: an enterprise, institution, association, university or office."""
    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(40), default="enterprise")
    credit_code: Mapped[str | None] = mapped_column(String(18))
    district: Mapped[str | None] = mapped_column(String(32))


class Group(Model):
    """A candidate group: a role (applicants, city_office) or a scoped one (district_office:tianhe)."""
    __tablename__ = "user_group_def"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default="role")


class User(Model):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    district: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    groups: Mapped[list[Group]] = relationship(secondary=user_groups, lazy="selectin")

    @property
    def group_keys(self):
        return frozenset(g.key for g in self.groups)
