"""Loading what a command acts on, locked for the rest of the command.

Every command that may decide for a step reads its case row with
`SELECT … FOR UPDATE` (PostgreSQL; on SQLite the command's `BEGIN IMMEDIATE`
already serializes writers). Two experts signing the same countersign at the
same moment are then taken one after the other: the second sees the first's
signature and the step is decided exactly once. It also makes the audit chain's
head, read when the command ends, the case's real head. The lock is `FOR NO KEY
UPDATE` (`key_share=True`): commands still take turns, but the foreign-key checks
of rows that point to the case (inbox rows, audit events, notifications) are not
blocked by it, and it cost a third less per completion than `FOR UPDATE` here.

The case row is the first and only row a command locks before it writes: task,
job and candidate rows are written after it, under its protection, so two
commands never wait for each other in opposite orders (a deadlock). The timer
scheduler takes a job and its case together, skipping any that are held
(timer_firing._claim).
"""
import functools

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from ...extensions import db
from ...models import AuditEvent, HumanTask, ProcessInstance
from ..audit import trail as audit
from ..command import active
from ..errors import NotFound


def _as_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def task_for_update(task_id):
    """The task and its case, the case's row locked until the command ends.

    Two reads: the case is locked first (found through the task), then the task is read. A
    command that had to wait for the lock then reads the task as the command before it left it;
    one joined `FOR UPDATE` would hand it the task row as it was before it waited (PostgreSQL
    re-reads only the rows it locks). `task.instance` is the locked case (the identity map).

    The second read also brings the head of the case's audit chain, for the command's end
    (`ctx.audit_heads`): read after the lock, it stays the head until the command commits."""
    lock_by_task, task_with_head = _task_statements()
    case = db.session.execute(lock_by_task, {"task_id": _as_id(task_id)}).scalar()
    if case is None:
        raise NotFound(_("Task %(id)s does not exist.", id=task_id))
    chain = audit.chain_of(case.id)
    found = db.session.execute(task_with_head, {"task_id": _as_id(task_id), "chain": chain}).first()
    if found is None:
        raise NotFound(_("Task %(id)s does not exist.", id=task_id))
    task, seq, digest = found
    active().audit_heads.setdefault(chain, (seq, digest) if seq else (0, audit.GENESIS))
    set_committed_value(task, "instance", case)     # the task holds its locked case: no lazy load
    return task


@functools.cache
def _task_statements():
    """The two reads of task_for_update, built once with bound parameters: every task command runs
    them, and building a statement costs more Python time than SQLAlchemy's cached compile saves."""
    owner = select(HumanTask.instance_id).where(HumanTask.id == bindparam("task_id")).scalar_subquery()
    lock_by_task = select(ProcessInstance).where(ProcessInstance.id == owner).with_for_update(key_share=True)
    newest = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.chain == bindparam("chain")) \
        .order_by(AuditEvent.seq.desc()).limit(1)
    task_with_head = select(HumanTask, newest.with_only_columns(AuditEvent.seq).scalar_subquery(),
                            newest.with_only_columns(AuditEvent.hash).scalar_subquery()) \
        .where(HumanTask.id == bindparam("task_id"))
    return lock_by_task, task_with_head


def case_for_update(instance_id):
    """A case, its row locked until the command ends."""
    instance = lock_case(instance_id)
    if instance is None:
        raise NotFound(_("Case %(id)s does not exist.", id=instance_id))
    return instance


def lock_case(instance_id):
    """Lock a case's row for the rest of the command (None: no such case). Any command that
    appends to a case's audit chain holds it, so the chain's head it reads at its end is current."""
    if instance_id is None:
        return None
    return db.session.execute(
        select(ProcessInstance).where(ProcessInstance.id == _as_id(instance_id)).with_for_update(key_share=True)
    ).scalar_one_or_none()
