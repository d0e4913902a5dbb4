"""Users, groups and units (enterprises, institutions, offices)."""
from datetime import datetime, timezone

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, false
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
    # stored in the login cookie and compared on every request: logging out or changing the
    # password increments it, and every cookie issued before stops working
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    district: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set when an administrator creates the account or resets its password, and for the demo
    # accounts: the user must choose a password before anything else (CHAINQ_FORCE_PASSWORD_CHANGE)
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the language the user last chose while logged in: their next logins and their e-mails use it
    locale: Mapped[str | None] = mapped_column(String(10))

    unit: Mapped[Unit | None] = relationship()
    groups: Mapped[list[Group]] = relationship(secondary=user_groups, lazy="selectin")

    @property
    def group_keys(self):
        return frozenset(g.key for g in self.groups)


class ApiToken(Model):
    """A bearer token of the JSON API: only its SHA-256 is stored; it expires and can be revoked."""
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # to the minute (written at most once a minute)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginFailure(Model):
    """A refused password or API token, counted per account and per client address to throttle guessing.

    Rows older than the counting window are deleted as new ones arrive."""
    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))     # "" for a refused API token
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (Index("ix_login_failure_username_at", "username", "at"),
                      Index("ix_login_failure_ip_at", "ip", "at"))
