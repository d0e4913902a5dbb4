"""Loading what a command acts on, locked for the rest of the command.

Every command that may decide for a step reads its case row with
`SELECT … FOR UPDATE` (PostgreSQL; on SQLite the command's `BEGIN IMMEDIATE`
already serializes writers). Two experts signing the same countersign at the
same moment are then taken one after the other: the second sees the first's
signature and the step is decided exactly once. It also makes the audit chain's
head, read when the command ends, the case's real head.
"""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import HumanTask, ProcessInstance
from ..errors import NotFound


def _as_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def task_for_update(task_id):
    """The task and its case, in one query, both rows locked until the command ends."""
    task = db.session.execute(
        select(HumanTask).options(joinedload(HumanTask.instance, innerjoin=True))
        .where(HumanTask.id == _as_id(task_id)).with_for_update()).scalar_one_or_none()
    if task is None:
        raise NotFound(_("Task %(id)s does not exist.", id=task_id))
    return task


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
        select(ProcessInstance).where(ProcessInstance.id == _as_id(instance_id)).with_for_update()
    ).scalar_one_or_none()
