"""Migrating many cases: a batch with one row per case (pending → migrated, or failed with the
reason), so a run that stops halfway (a crash, a closed page) goes on where it stopped.

`start_batch` writes the rows in one command. `run_batch` takes the pending rows in id order and
migrates each in its own command, under its case's row lock, so every case moves or stays whole
and a crash loses at most the case in flight (its row is still pending: the next run takes it).
The administrators' page drives a run in chunks (`run_batch(limit=...)`) and shows the progress;
`flask migrate-cases BATCH` runs all that is pending.
"""
import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...extensions import db
from ...models import MigrationBatch, MigrationItem
from ...models.states import MigrationItemStatus, transition
from ..audit import trail as audit
from ..command import command
from ..errors import NotFound, ServiceError, ValidationFailed
from ..workflow import definitions
from ..workflow.loading import lock_case
from .guard import require_admin
from .migration import migrate_in, parse_mapping, select_cases, target_definition

log = logging.getLogger(__name__)


@dataclass
class Progress:
    batch: MigrationBatch
    counts: dict            # status -> number of rows
    items: list

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def pending(self):
        return self.counts.get(MigrationItemStatus.PENDING, 0)

    @property
    def done(self):
        return self.total - self.pending


def start_batch(actor, process_key, to_version, from_version=None, status="", mapping=None, instance_id=None):
    """Record a batch for the cases the filter selects (the same cases a dry run shows)."""
    require_admin(actor)
    mapping = parse_mapping(mapping)
    target = target_definition(process_key, to_version)
    chosen = [c for c in select_cases(process_key, from_version, status, instance_id) if c.definition_id != target.id]
    if not chosen:
        raise ValidationFailed(_("No running case matches: nothing to migrate."), {"from": [_("No case matches.")]})
    with command(actor) as ctx:
        batch = MigrationBatch(process_key=process_key, from_version=int(from_version) if from_version else None,
                               to_version=target.version, target_definition_id=target.id, mapping=mapping or None,
                               created_by_id=actor.id, created_at=ctx.now)
        ctx.session.add(batch)
        ctx.session.flush()         # the rows below point to it
        for case in chosen:
            ctx.session.add(MigrationItem(batch_id=batch.id, instance_id=case.id,
                                          from_version=case.definition.version))
        audit.record(ctx, "migration_started", actor=actor, data={
            "batch": batch.id, "process_key": process_key, "to_version": target.version,
            "from_version": batch.from_version, "mapping": mapping, "cases": len(chosen)})
    return batch


def get_batch(actor, batch_id):
    require_admin(actor)
    batch = db.session.get(MigrationBatch, batch_id)
    if batch is None:
        raise NotFound(_("No migration batch %(id)s.", id=batch_id))
    return batch


def progress(actor, batch_id):
    batch = get_batch(actor, batch_id)
    counts = dict(db.session.execute(select(MigrationItem.status, func.count()).where(
        MigrationItem.batch_id == batch.id).group_by(MigrationItem.status)).all())
    items = db.session.execute(select(MigrationItem).where(MigrationItem.batch_id == batch.id)
                               .order_by(MigrationItem.id)).scalars().all()
    return Progress(batch, counts, items)


def list_batches(actor, limit=50):
    require_admin(actor)
    return db.session.execute(select(MigrationBatch).order_by(MigrationBatch.id.desc()).limit(limit)).scalars().all()


def run_batch(actor, batch_id, limit=None):
    """Migrate the batch's pending cases (at most `limit`), each in its own command. Returns the progress."""
    batch = get_batch(actor, batch_id)
    done = 0
    while limit is None or done < limit:
        item_id = db.session.execute(select(MigrationItem.id).where(
            MigrationItem.batch_id == batch.id, MigrationItem.status == MigrationItemStatus.PENDING)
            .order_by(MigrationItem.id).limit(1)).scalar()
        if item_id is None:
            _finish(actor, batch.id)
            break
        migrate_item(actor, item_id)
        done += 1
    return progress(actor, batch.id)


def migrate_item(actor, item_id):
    """One case of a batch, in its own command; a refusal or an error marks the row failed with why."""
    require_admin(actor)
    try:
        with command(actor) as ctx:
            item, instance = _locked_pending(item_id)
            if item is None:
                return              # another run took it meanwhile
            batch = db.session.get(MigrationBatch, item.batch_id)
            reasons = migrate_in(ctx, instance, definitions.get(batch.target_definition_id), batch.mapping or {})
            _settle(item, reasons, ctx.now)
    except Exception as exc:        # the case could not be moved (all rolled back): the row says why
        if not isinstance(exc, ServiceError):
            log.exception("migration item %s failed", item_id)    # a bug to see, but the batch goes on
        reason = exc.message if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        with command(actor) as ctx:
            item, _instance = _locked_pending(item_id)
            if item is not None:
                _settle(item, [reason], ctx.now)


def _locked_pending(item_id):
    """(row, case) with the case's row locked (every writer of a batch row holds it), if still pending."""
    item = db.session.get(MigrationItem, item_id)
    if item is None:
        return None, None
    instance = lock_case(item.instance_id)
    db.session.refresh(item)            # as the command before us left it
    if item.status != MigrationItemStatus.PENDING:
        return None, None
    return item, instance


def _settle(item, reasons, moment):
    transition(item, MigrationItemStatus, MigrationItemStatus.FAILED if reasons else MigrationItemStatus.MIGRATED)
    item.reason, item.done_at = " ".join(reasons)[:2000], moment


def _finish(actor, batch_id):
    with command(actor) as ctx:
        batch = db.session.get(MigrationBatch, batch_id)
        if batch.finished_at is None:
            batch.finished_at = ctx.now
