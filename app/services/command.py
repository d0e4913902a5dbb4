"""A command: one public service call, one transaction, all of its effects visible here.

`command(actor)` yields a `CommandContext`, as Camunda's engine does: the actor,
the session, the moment the command began, and what the command queues to be
written at its end (audit events, notifications, copies) or done after its
commit (e-mail). At the end of the block, in this order:

1. the queued audit events get their place in their chains (`audit.trail.write`);
2. the session is flushed by the ORM (cases, inbox rows, jobs: the rows the
   queued rows point to);
3. the queued rows are inserted, one multi-row INSERT per table, through the
   session (`Session.execute(insert(table), rows)`): the same transaction,
   the same logging and error handling as everything else;
4. the transaction commits; only then is e-mail sent.

Any exception rolls everything back and nothing is sent. A lost optimistic-lock
race (`version_id_col`) or a duplicate key becomes a `Conflict` (HTTP 409). Text
longer than its `String(n)` column is refused as `ValidationFailed` (422) naming
the column, on both databases: before the command's flush (`check_lengths`), and
where PostgreSQL refuses it during an earlier autoflush (SQLSTATE 22001).

On SQLite the command's transaction begins with `BEGIN IMMEDIATE` (see
app/sqlite_pragmas.py): its reads are one snapshot, and a second writer waits
for the first instead of failing when it tries to write.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import String, insert, inspect
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models.identity import utcnow
from ..sqlite_pragmas import BEGIN_IMMEDIATE
from .audit import trail
from .errors import Conflict, ValidationFailed
from .identity.members import MemberCache
from .notify import mailer

_ACTIVE: ContextVar[CommandContext | None] = ContextVar("chainq_command", default=None)


@dataclass
class CommandContext:
    """What one command knows and has queued. Passed to every helper that writes."""
    actor: Any                       # the User acting, or None for the system (timers, start-up)
    session: Session
    now: datetime
    members: MemberCache
    audit: list[trail.PendingEvent] = field(default_factory=list)
    audit_following: list[trail.PendingEvent] = field(default_factory=list)
    audit_heads: dict[str, tuple[int, str]] = field(default_factory=dict)   # chain -> head read under its lock
    appends: list[tuple[Any, dict]] = field(default_factory=list)   # (table, row)
    outbox: list[tuple[list[int], str]] = field(default_factory=list)
    # reads that cannot change while the command runs, kept for its length (e.g. the working-day
    # calendar, which a start opening a hundred review steps would otherwise read day by day)
    memo: dict[str, Any] = field(default_factory=dict)

    def append(self, table: Any, row: dict) -> None:
        """Queue a row that nothing in this command reads back, inserted at the command's end."""
        self.appends.append((table, row))

    def mark(self) -> tuple[int, int, int, int]:
        """Where the queues stand now, to `rewind` to when a part of the command is undone (a
        savepoint rolled back: what it queued must not be written either)."""
        return len(self.audit), len(self.audit_following), len(self.appends), len(self.outbox)

    def rewind(self, mark: tuple[int, int, int, int]) -> None:
        audit, following, appends, outbox = mark
        del self.audit[audit:], self.audit_following[following:], self.appends[appends:], self.outbox[outbox:]


def active() -> CommandContext:
    """The command running now; for helpers that may only run inside one."""
    ctx = _ACTIVE.get()
    if ctx is None:
        raise RuntimeError("this must run inside a command (app.services.command.command)")
    return ctx


@contextmanager
def command(actor: Any = None) -> Iterator[CommandContext]:
    """Run a block as one all-or-nothing command (see the module docstring)."""
    if _ACTIVE.get() is not None:
        raise RuntimeError("commands do not nest: one service call is one transaction")
    session = db.session()
    ctx = CommandContext(actor=actor, session=session, now=utcnow(), members=MemberCache(session))
    token = _ACTIVE.set(ctx)
    try:
        _begin(session, actor)
        yield ctx
        _write_queued(ctx)
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict(_("This record was changed by someone else; reload and try again.")) from None
    except IntegrityError as exc:
        session.rollback()
        if not _is_duplicate_key(exc):
            raise          # a broken rule of the schema is a bug to see (500, logged), not a race to retry
        raise Conflict(_("This action conflicts with one taken at the same time; reload and try again.")) from exc
    except DataError as exc:
        session.rollback()
        if getattr(exc.orig, "sqlstate", None) != "22001":    # PostgreSQL: string_data_right_truncation
            raise
        # an autoflush has already taken the rows out of `session.new`: the column cannot be named
        raise ValidationFailed(_("A value is longer than its field allows."), {"_form": [
            _("A value is longer than its field allows.")]}) from exc
    except OperationalError as exc:
        session.rollback()
        if _is_contention(exc):
            raise Conflict(_("The record is busy; try again.")) from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        _ACTIVE.reset(token)
    mailer.deliver(ctx.outbox)


def _begin(session: Session, actor: Any) -> None:
    """Start the command's own transaction, on data as it is now.

    A request usually reads before its command (the user who is logged in). On
    SQLite that read-only transaction ends here, so the command's transaction is a
    new, immediate one. On PostgreSQL the command goes on in it: under READ
    COMMITTED each statement sees the latest commits whenever the transaction
    began, and a BEGIN and a COMMIT fewer are two round trips fewer. The session is kept across commands
    (`expire_on_commit=False`, app/extensions.py) so that a command's result can be
    shown without reloading it; what earlier transactions loaded is expired
    here instead, so the command reads nothing stale. The actor and its groups
    are kept: they are who made this request.
    """
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        session.commit()      # reads only; on PostgreSQL (READ COMMITTED) the command goes on in it
    if not session.in_transaction():
        immediate: dict[str, Any] = {BEGIN_IMMEDIATE: True}
        session.connection(execution_options=immediate)
    keep = {id(actor)} | {id(group) for group in getattr(actor, "groups", ())} if actor is not None else set()
    for obj in list(session.identity_map.values()):
        if id(obj) not in keep:
            session.expire(obj)


def check_lengths(session: Session) -> None:
    """Refuse text longer than its `String(n)` column, naming the column (SQLite would keep it)."""
    errors: dict[str, list[str]] = {}
    for obj in [*session.new, *session.dirty]:
        for attribute in inspect(type(obj)).column_attrs:
            column_type = attribute.columns[0].type
            value = getattr(obj, attribute.key, None)
            limit = column_type.length if isinstance(column_type, String) else None
            if limit and isinstance(value, str) and len(value) > limit:
                errors.setdefault(attribute.key, []).append(_("At most %(n)d characters.", n=limit))
    if errors:
        named = ", ".join(f"{name}: {messages[0]}" for name, messages in errors.items())
        raise ValidationFailed(_("Too long — %(fields)s", fields=named), errors)


def _write_queued(ctx: CommandContext) -> None:
    check_lengths(ctx.session)     # before anything queries: a query flushes first (autoflush)
    trail.write(ctx)
    ctx.session.flush()
    batch_table: Any = None
    batch: list[dict] = []
    for table, row in ctx.appends:
        if table is not batch_table and batch:
            ctx.session.execute(insert(batch_table), batch)
            batch = []
        batch_table = table
        batch.append(row)
    if batch:
        ctx.session.execute(insert(batch_table), batch)
    ctx.appends.clear()


def _is_duplicate_key(exc: IntegrityError) -> bool:
    """A unique key refused a row another command wrote first (PostgreSQL's SQLSTATE 23505, SQLite's message)."""
    return getattr(exc.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def _is_contention(exc: OperationalError) -> bool:
    text = str(exc)
    return "could not serialize" in text or "deadlock" in text or "database is locked" in text
