"""Writing and verifying the hash-chained audit trail.

Events are appended in the same transaction as the state they describe. The
hash covers every stored field except `id`, and the previous hash, so any
UPDATE, DELETE or reordering is detected at the first broken link.

A command records events as it goes (`record`); they get their sequence number
and hash when the command ends (`write`, called by app/services/command.py),
after everything the command decided. Each chain's head is read then, once per
chain: a command that decides for a case holds the case's row lock (or, on
SQLite, the database's write lock), so no other command can move the head between
that read and the commit.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ...extensions import db
from ...models import AuditAnchor, AuditEvent
from ...models.identity import utcnow

if TYPE_CHECKING:
    from ..command import CommandContext

GENESIS = "0" * 64


def chain_of(instance_id):
    return f"instance:{instance_id}" if instance_id else "system"


FIELDS = ("chain", "seq", "instance_id", "at", "actor_id", "actor_name", "type", "element_id", "element_name",
          "task_id", "data")


def _canonical(fields):
    body = dict(fields)
    body["at"] = body["at"].isoformat(timespec="microseconds") if body["at"] else None
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(prev_hash, event):
    """The hash of a stored event (anything with the FIELDS as attributes) after `prev_hash`."""
    return _hash_fields(prev_hash, {name: getattr(event, name) for name in FIELDS})


def _hash_fields(prev_hash, fields):
    return hashlib.sha256((prev_hash + _canonical(fields)).encode("utf-8")).hexdigest()


def _normalise(data):
    # Store exactly what a JSON round trip gives back, so hashes verify after reload.
    if not data:
        return {}
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


@dataclass
class PendingEvent:
    """An event recorded by a command, waiting for its place in its chain."""
    chain: str
    fields: dict[str, Any]


def record(ctx: CommandContext, event_type: str, actor: Any = None, instance_id: int | None = None,
           element_id: str = "", element_name: str = "", task_id: int | None = None,
           data: dict | None = None, at: datetime | None = None) -> None:
    """Append one event to its chain (written when the command ends)."""
    event = _pending(event_type, actor, instance_id, element_id, element_name, task_id, data, at)
    ctx.audit.append(event)
    # events waiting for the next event of this chain follow it now
    following = [e for e in ctx.audit_following if e.chain == event.chain]
    if following:
        for waited in following:        # its time is when it takes its place: the trail's times stay in order
            waited.fields["at"] = utcnow()
        ctx.audit.extend(following)
        ctx.audit_following[:] = [e for e in ctx.audit_following if e.chain != event.chain]


def record_after_next(ctx: CommandContext, event_type: str, **fields: Any) -> None:
    """Record an event right after the next one recorded on its chain (or, if none comes, at the end).

    A service task runs inside the engine step that a decision set off, before the
    command records that decision; its event is recorded after the decision's, so the
    trail reads in the order things were caused (the city office approves, then the
    consortium is created), not in the order the engine ran them."""
    ctx.audit_following.append(_pending(event_type, **fields))


def record_library_event(ctx: CommandContext, event_type: str, instance: Any, data: dict) -> None:
    """A library's event (problem, project, achievement, licence …), by the command's actor: on the
    case's chain after the decision that set its step off when a process step acts (`instance`),
    on the system chain at once otherwise."""
    fields = {"actor": ctx.actor, "instance_id": instance.id if instance is not None else None, "data": data}
    if instance is not None:
        record_after_next(ctx, event_type, **fields)
    else:
        record(ctx, event_type, **fields)


def _pending(event_type, actor=None, instance_id=None, element_id="", element_name="", task_id=None,
             data=None, at=None) -> PendingEvent:
    chain = chain_of(instance_id)
    return PendingEvent(chain, {
        "chain": chain, "instance_id": instance_id, "at": at or utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "actor_name": actor.display_name if actor is not None else "system",
        "type": event_type, "element_id": element_id or "", "element_name": element_name or "",
        "task_id": task_id, "data": _normalise(data)})


def write(ctx: CommandContext) -> None:
    """Give the command's events their sequence numbers and hashes, and queue their rows."""
    for waited in ctx.audit_following:
        waited.fields["at"] = utcnow()
    events = ctx.audit + ctx.audit_following
    ctx.audit.clear()
    ctx.audit_following.clear()
    heads: dict[str, tuple[int, str]] = {}
    if any(event.chain == SYSTEM for event in events):
        _serialize_system_chain()
    for event in events:
        if event.chain not in heads:
            heads[event.chain] = ctx.audit_heads.get(event.chain) or head_of(event.chain) or (0, GENESIS)
        seq, prev = heads[event.chain]
        fields = {**event.fields, "seq": seq + 1}
        digest = _hash_fields(prev, fields)
        ctx.append(AuditEvent.__table__, {**fields, "prev_hash": prev, "hash": digest})
        heads[event.chain] = (seq + 1, digest)


SYSTEM = chain_of(None)
_SYSTEM_CHAIN_LOCK = 0x43484149   # any constant: the transaction-level advisory lock of the system chain


def _serialize_system_chain():
    """Events without a case (deploys, tokens, the calendar) share one chain, and no row stands for
    it to lock: on PostgreSQL the commands appending to it take turns on an advisory lock held
    until they commit, so two at once do not both take the next number. (SQLite's BEGIN
    IMMEDIATE already makes every command take turns.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_SYSTEM_CHAIN_LOCK)))


def head_of(chain):
    """(seq, hash) of a chain's newest stored event, or None."""
    return db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq.desc()).limit(1)).first()


@dataclass
class ChainReport:
    chain: str
    events: int
    ok: bool
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def verify_chain(chain):
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).scalars().all()
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainReport(chain, len(events), False, event.seq, event.id,
                               f"event #{expected_seq} is missing (found #{event.seq} next)")
        if event.prev_hash != prev:
            return ChainReport(chain, len(events), False, event.seq, event.id,
                               "the link to the previous event does not match")
        if compute_hash(prev, event) != event.hash:
            return ChainReport(chain, len(events), False, event.seq, event.id,
                               "the event's content does not match its hash (it was altered)")
        prev = event.hash
    return ChainReport(chain, len(events), True)


def verify_all():
    chains = db.session.execute(select(AuditEvent.chain).distinct().order_by(AuditEvent.chain)).scalars().all()
    return [verify_chain(chain) for chain in chains]


def events_of(instance_id):
    """The stored events of a case (a command's own events are stored when it ends)."""
    return db.session.execute(
        select(AuditEvent).where(AuditEvent.chain == chain_of(instance_id))
        .order_by(AuditEvent.seq)).scalars().all()


def _anchor_hash(prev_hash, day, heads):
    body = json.dumps({"day": day, "heads": heads}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def current_heads():
    """chain -> [seq, hash] of its newest event."""
    newest = select(AuditEvent.chain, func.max(AuditEvent.seq).label("seq")).group_by(AuditEvent.chain).subquery()
    rows = db.session.execute(select(AuditEvent.chain, AuditEvent.seq, AuditEvent.hash).join(
        newest, (AuditEvent.chain == newest.c.chain) & (AuditEvent.seq == newest.c.seq)))
    return {chain: [seq, digest] for chain, seq, digest in rows}


def anchor_heads(day=None):
    """Record today's anchor (no commit: the calling command commits). None if it exists."""
    day = day or utcnow().strftime("%Y-%m-%d")
    if db.session.execute(select(AuditAnchor.id).where(AuditAnchor.day == day)).first():
        return None
    last = db.session.execute(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1)).scalar_one_or_none()
    prev = last.hash if last else GENESIS
    heads = current_heads()
    anchor = AuditAnchor(day=day, heads=heads, prev_hash=prev, hash=_anchor_hash(prev, day, heads))
    db.session.add(anchor)
    return anchor


@dataclass
class AnchorReport:
    anchors: int
    ok: bool
    broken_day: str | None = None
    chain: str | None = None
    reason: str = ""


def anchors_as_records():
    """Every stored anchor as plain data, oldest first: what `flask export-anchors` writes to be kept
    outside the database (a copy that a restore or an edit of the database cannot reach)."""
    anchors = db.session.execute(select(AuditAnchor).order_by(AuditAnchor.id)).scalars().all()
    return [{"day": a.day, "heads": a.heads, "prev_hash": a.prev_hash, "hash": a.hash} for a in anchors]


def _check_heads(day, heads, anchor_count):
    """The report of the first head of an anchor that is gone or differs, or None."""
    for chain, (seq, digest) in sorted(heads.items()):
        found = db.session.execute(select(AuditEvent.hash).where(
            AuditEvent.chain == chain, AuditEvent.seq == seq)).scalar_one_or_none()
        if found is None:
            return AnchorReport(anchor_count, False, day, chain,
                                f"event #{seq} of {chain}, anchored on {day}, is gone")
        if found != digest:
            return AnchorReport(anchor_count, False, day, chain,
                                f"event #{seq} of {chain} differs from the one anchored on {day}")
    return None


def verify_kept_anchors(kept):
    """Check the database against anchors kept outside it (`anchors_as_records()` of an earlier moment).

    The anchors in the database only prove what the database still holds: a copy that lost its newest
    events together with the anchors recording them (a backup older than an anchor, a dump cut short
    and edited) verifies on its own. The kept anchors must form an unbroken chain themselves, every
    head they recorded must still exist unchanged, and each must be stored in the database as kept."""
    prev = GENESIS
    for record in kept:
        if record["prev_hash"] != prev or _anchor_hash(prev, record["day"], record["heads"]) != record["hash"]:
            return AnchorReport(len(kept), False, record["day"], None, "the kept anchor itself was altered")
        prev = record["hash"]
    stored = {day: digest for day, digest in db.session.execute(select(AuditAnchor.day, AuditAnchor.hash))}
    for record in kept:
        gone = _check_heads(record["day"], record["heads"], len(kept))
        if gone is not None:
            return gone
        if stored.get(record["day"]) != record["hash"]:
            return AnchorReport(len(kept), False, record["day"], None,
                                f"the anchor of {record['day']} is missing from the database"
                                if record["day"] not in stored else
                                f"the stored anchor of {record['day']} differs from the kept one")
    return AnchorReport(len(kept), True)


def verify_anchors():
    """Every anchor links to the one before, and every head it recorded still exists unchanged."""
    anchors = db.session.execute(select(AuditAnchor).order_by(AuditAnchor.id)).scalars().all()
    prev = GENESIS
    for anchor in anchors:
        if anchor.prev_hash != prev or _anchor_hash(prev, anchor.day, anchor.heads) != anchor.hash:
            return AnchorReport(len(anchors), False, anchor.day, None, "the anchor itself was altered")
        gone = _check_heads(anchor.day, anchor.heads, len(anchors))
        if gone is not None:
            return gone
        prev = anchor.hash
    return AnchorReport(len(anchors), True)
