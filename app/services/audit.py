"""Writing and verifying the hash-chained audit trail.

Events are appended in the same transaction as the state they describe. The
hash covers every stored field except `id`, and the previous hash, so any
UPDATE, DELETE or reordering is detected at the first broken link.
"""
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import String, bindparam, cast, func, literal, select

from ..extensions import db
from . import appends, savepoints, statements
from .transaction import IN_COMMAND
from ..models import AuditAnchor, AuditEvent
from ..models.identity import utcnow

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


# Heads read or moved inside a savepoint that rolls back are put back as they were when it began.
savepoints.restore_with("audit_heads")


def _normalise(data):
    # Store exactly what a JSON round trip gives back, so hashes verify after reload.
    if not data:
        return {}                 # most events carry none (claims, releases, new tasks' siblings)
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def head_of(chain):
    """(seq, hash) of a chain's newest event, or None."""
    appends.write(db.session)      # events queued in this transaction first
    return db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq.desc()).limit(1)).first()


_STORED_HEAD = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == bindparam("chain")) \
    .order_by(AuditEvent.seq.desc()).limit(1)


def _stored_head(chain):
    """The newest stored event of a chain, read without flushing the session (nothing the
    command changed in the ORM can alter another event of the chain)."""
    return statements.first_row(db.session, _STORED_HEAD, {"chain": chain})


def head_columns(instance_id_column):
    """The (seq, hash) of the newest stored event of the case in `instance_id_column`'s row, as
    two columns to add to the statement that reads that row (see `carry_head`)."""
    chain = literal("instance:") + cast(instance_id_column, String)
    newest = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == chain) \
        .order_by(AuditEvent.seq.desc()).limit(1)
    return (newest.with_only_columns(AuditEvent.seq).scalar_subquery().label("audit_head_seq"),
            newest.with_only_columns(AuditEvent.hash).scalar_subquery().label("audit_head_hash"))


def carries_heads(session):
    """Whether a command reads a chain's head along with the case's row (`head_columns`) and carries
    it to its first event, instead of reading it when it records the event.

    Only inside a command (its transaction saw the head; carried heads are dropped when it
    ends), and only on SQLite: there the command's whole transaction sees one snapshot and
    writers take turns, so a head read early is as current as one read late. On PostgreSQL
    (read committed) a head read when the event is recorded also sees events another command
    committed meanwhile; read before the engine runs, it would turn more concurrent work on
    one case (countersigning) into conflicts."""
    return bool(session.info.get(IN_COMMAND)) and statements.dialect(session).name == "sqlite"


def carry_head(instance_id, seq, digest):
    """Use a chain head read with the case's row for the command's next event of that chain,
    unless the command has already moved that head."""
    heads = db.session.info.setdefault("audit_heads", {})
    heads.setdefault(chain_of(instance_id), (seq, digest) if seq else (0, GENESIS))


def record(event_type, actor=None, instance_id=None, element_id="", element_name="", task_id=None,
           data=None, at=None):
    """Append one event to its chain (no commit: it is inserted when the calling command commits)."""
    chain = _append(event_type, actor, instance_id, element_id, element_name, task_id, data, at)
    _record_following(db.session, chain)


# Events that follow the next event of their chain. A service task runs inside the engine step
# that a decision set off, before the command records that decision; its event is recorded
# after the decision's, so the trail reads in the order things were caused (the city office
# approves, then the consortium is created), not in the order the engine ran them.
_FOLLOWING = "audit_following"


def record_after_next(event_type, **fields):
    """Record an event right after the next one recorded on its chain (or, if none comes, when
    the command's events are written). Dropped with the command, or the savepoint, that made it."""
    savepoints.note(db.session, _FOLLOWING, (event_type, fields))


def _record_following(session, chain=None):
    waiting = session.info.get(_FOLLOWING)
    if not waiting:
        return
    mine = [entry for entry in waiting if chain is None or chain_of(entry[1][1].get("instance_id")) == chain]
    if mine:
        session.info[_FOLLOWING] = [entry for entry in waiting if entry not in mine]
        for _made_in, (event_type, fields) in mine:
            _append(event_type, **fields)


appends.before_write(lambda session: _record_following(session))
savepoints.undo_with(_FOLLOWING)


def _append(event_type, actor=None, instance_id=None, element_id="", element_name="", task_id=None,
            data=None, at=None):
    session = db.session
    chain = chain_of(instance_id)
    # The head is read once per chain per transaction, then carried along: no query for the
    # second and later events a command appends. A rollback clears it.
    heads = session.info.setdefault("audit_heads", {})
    if chain in heads:
        seq, prev = heads[chain]
    else:
        head = _stored_head(chain)
        seq, prev = head if head else (0, GENESIS)
    seq += 1
    fields = {
        "chain": chain, "seq": seq, "instance_id": instance_id, "at": at or utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "actor_name": actor.display_name if actor is not None else "system",
        "type": event_type, "element_id": element_id or "", "element_name": element_name or "",
        "task_id": task_id, "data": _normalise(data)}
    digest = _hash_fields(prev, fields)
    appends.add(session, AuditEvent.__table__, {**fields, "prev_hash": prev, "hash": digest})
    heads[chain] = (seq, digest)
    return chain


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
    appends.write(db.session)
    return db.session.execute(
        select(AuditEvent).where(AuditEvent.chain == chain_of(instance_id))
        .order_by(AuditEvent.seq)).scalars().all()


def _anchor_hash(prev_hash, day, heads):
    body = json.dumps({"day": day, "heads": heads}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def current_heads():
    """chain -> [seq, hash] of its newest event."""
    appends.write(db.session)
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


def verify_anchors():
    """Every anchor links to the one before, and every head it recorded still exists unchanged."""
    anchors = db.session.execute(select(AuditAnchor).order_by(AuditAnchor.id)).scalars().all()
    prev = GENESIS
    for anchor in anchors:
        if anchor.prev_hash != prev or _anchor_hash(prev, anchor.day, anchor.heads) != anchor.hash:
            return AnchorReport(len(anchors), False, anchor.day, None, "the anchor itself was altered")
        for chain, (seq, digest) in sorted(anchor.heads.items()):
            found = db.session.execute(select(AuditEvent.hash).where(
                AuditEvent.chain == chain, AuditEvent.seq == seq)).scalar_one_or_none()
            if found is None:
                return AnchorReport(len(anchors), False, anchor.day, chain,
                                    f"event #{seq} of {chain}, anchored on {anchor.day}, is gone")
            if found != digest:
                return AnchorReport(len(anchors), False, anchor.day, chain,
                                    f"event #{seq} of {chain} differs from the one anchored on {anchor.day}")
        prev = anchor.hash
    return AnchorReport(len(anchors), True)
