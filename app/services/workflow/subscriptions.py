"""Event subscriptions: the rows saying what each running case waits for (messages, signals).

`sync` runs inside every command that saves a case (apply_step, beside the timer
jobs), so the rows always match the saved state; finding a message's receivers
is then one indexed query (`waiting`), never a look into every case.
"""
from sqlalchemy import delete, select

from ...engine import delivery
from ...models import EventSubscription, ProcessInstance
from ...models.states import InstanceStatus


def sync(ctx, instance, workflow, compiled):
    """Make the case's subscription rows match what its workflow waits for now (inside a command)."""
    if not compiled.catches:
        return          # the diagram catches no message or signal: there is nothing to keep
    now = [] if instance.status != InstanceStatus.RUNNING else delivery.subscriptions(workflow)
    wanted = {(s.kind, s.name, s.element_id, s.spiff_id) for s in now}
    rows = ctx.session.execute(select(EventSubscription).where(
        EventSubscription.instance_id == instance.id)).scalars().all()
    kept = set()
    for row in rows:
        key = (row.kind, row.name, row.element_id, row.spiff_task_id)
        if key in wanted and key not in kept:
            kept.add(key)
        else:
            ctx.session.delete(row)
    for kind, name, element_id, spiff_id in sorted(wanted - kept):
        ctx.session.add(EventSubscription(instance_id=instance.id, kind=kind, name=name[:200], element_id=element_id,
                                          spiff_task_id=spiff_id, business_key=instance.business_key,
                                          created_at=ctx.now))


def clear(ctx, instance):
    """A case that ended or was withdrawn waits for nothing."""
    ctx.session.execute(delete(EventSubscription).where(EventSubscription.instance_id == instance.id))


def waiting(session, kind, name, business_key=None, exclude=None):
    """Ids of the running cases waiting for this message or signal, sorted (the lock order)."""
    query = select(EventSubscription.instance_id).join(
        ProcessInstance, ProcessInstance.id == EventSubscription.instance_id).where(
        EventSubscription.kind == kind, EventSubscription.name == name,
        ProcessInstance.status == InstanceStatus.RUNNING).distinct()
    if business_key is not None:
        query = query.where(EventSubscription.business_key == business_key)
    if exclude is not None:
        query = query.where(EventSubscription.instance_id != exclude)
    return sorted(session.execute(query).scalars().all())


def of_instance(session, instance_id):
    return session.execute(select(EventSubscription).where(EventSubscription.instance_id == instance_id)
                           .order_by(EventSubscription.id)).scalars().all()
