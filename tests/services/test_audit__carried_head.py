"""A command on a task reads its case's audit-chain head with the task's row, not again
before appending; the chain it writes is the same as if the head had been read."""
from sqlalchemy import event, select

from app.extensions import db
from app.models import AuditEvent
from app.services import audit, runtime, tasks
from app.services.transaction import command


class Selects:
    """The SELECTs a block runs, as the database sees them."""

    def __enter__(self):
        self.seen = []
        event.listen(db.engine, "before_cursor_execute", self._grab)
        return self

    def _grab(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            self.seen.append(" ".join(statement.split()))

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._grab)

    def head_reads(self):
        return [s for s in self.seen if s.startswith("SELECT audit_event.seq, audit_event.hash FROM audit_event")]


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
    with Selects() as sql:
        tasks.claim(user("leader"), task_id)
        db.session.remove()
        tasks.complete(user("leader"), task_id, {"decision": "approve", "opinion": "同意"})
    assert sql.head_reads() == []                  # no separate read of the chain's head
    after = _seqs(instance_id)
    assert after[:len(before)] == before and after == list(range(1, len(after) + 1))
    assert len(after) > len(before) + 1
    assert audit.verify_chain(audit.chain_of(instance_id)).ok


def test_a_head_carried_outside_a_command_is_not_used(app, user, open_task):
    applicant = user("applicant")
    instance = runtime.start_instance(applicant, "consortium_application")
    task_id, instance_id = open_task(instance).id, instance.id
    db.session.remove()
    tasks.get_task(user("applicant"), task_id)     # a read: the head comes along but is not kept
    assert "audit_heads" not in db.session.info
    stale = _seqs(instance_id)[-1]
    with command():                                # a later event moves the head on
        audit.record("test_event", instance_id=instance_id)
    tasks.save_draft(user("applicant"), task_id, {"consortium_name": "草稿"})
    assert _seqs(instance_id)[-2:] == [stale + 1, stale + 2]
    assert audit.verify_chain(audit.chain_of(instance_id)).ok


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
