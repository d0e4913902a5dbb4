"""A command on a task reads its case's audit-chain head with the task's row, not again
before appending; the chain it writes is the same as if the head had been read."""
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.services import audit, runtime, tasks
from app.services.transaction import command
from tests.support import StatementLog


def _head_reads(sql):
    return [s for s in sql.starting("SELECT AUDIT_EVENT.SEQ, AUDIT_EVENT.HASH FROM AUDIT_EVENT")]


def _seqs(instance_id):
    return db.session.execute(select(AuditEvent.seq).where(AuditEvent.chain == audit.chain_of(instance_id))
                              .order_by(AuditEvent.seq)).scalars().all()


def test_claim_and_complete_append_after_the_head_read_with_the_task(app, user, open_task, application_form):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    tasks.complete(applicant, open_task(instance).id, application_form())
    task_id, instance_id = open_task(instance).id, instance.id
    before = _seqs(instance_id)
    db.session.remove()
    with StatementLog() as sql:
        tasks.claim(user("leader"), task_id)
        db.session.remove()
        tasks.complete(user("leader"), task_id, {"decision": "approve", "opinion": "同意"})
    if db.engine.dialect.name == "sqlite":
        assert _head_reads(sql) == []              # no separate read of the chain's head
    else:                                          # read when the event is recorded (audit.carries_heads)
        assert len(_head_reads(sql)) == 2
    after = _seqs(instance_id)
    assert after[:len(before)] == before and after == list(range(1, len(after) + 1))
    assert len(after) > len(before) + 1
    assert audit.verify_chain(audit.chain_of(instance_id)).ok


def test_a_head_is_carried_only_inside_a_command_and_only_on_sqlite(app, user, open_task):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    task_id, chain = open_task(instance).id, audit.chain_of(instance.id)
    db.session.remove()
    tasks.get_task(user("applicant"), task_id)     # a read: no head comes along, none is kept
    assert "audit_heads" not in db.session.info
    db.session.remove()
    with command():
        tasks._load(task_id)
        carried = dict(db.session.info.get("audit_heads", {}))
    stored = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == chain)
                                .order_by(AuditEvent.seq.desc()).limit(1)).one()
    if db.engine.dialect.name == "sqlite":
        assert carried == {chain: tuple(stored)}
    else:
        assert carried == {}


def test_a_carried_head_never_replaces_one_the_command_already_moved(app, user, open_task):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    first = _seqs(instance.id)[-1]
    with command():
        audit.record("test_event", instance_id=instance.id)        # seq first + 1, still queued
        audit.carry_head(instance.id, first, "stale")              # what a row read earlier would say
        audit.record("test_event", instance_id=instance.id)        # must follow the queued event
    assert _seqs(instance.id)[-2:] == [first + 1, first + 2]
    assert audit.verify_chain(audit.chain_of(instance.id)).ok
