"""Terminate a case with a reason (Camunda's "delete process instance" with a delete reason): an
administrator ends a running or suspended case. What ending a case early does is early_end.py (shared
with the initiator's cancellation, cancellation.py); here: the administrator's check, the audit event
`instance_terminated`, and the holders of its tasks and its initiator told.
"""
from flask_babel import gettext as _

from ...models.states import InstanceStatus
from ..command import command
from ..errors import Conflict
from ..notify import notifications
from ..workflow.loading import case_for_update
from .early_end import TERMINATED, checked_reason, end_case
from .guard import require_admin


def terminate(actor, instance_id, reason):
    require_admin(actor)
    reason = checked_reason(reason, TERMINATED)
    with command(actor) as ctx:
        instance = case_for_update(instance_id)
        if instance.status not in (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED):
            raise Conflict(_("This case has already ended."))
        end_case(ctx, instance, reason, TERMINATED, lambda task, step: notifications.task_cancelled(ctx, task, step))
        notifications.notify(ctx, [instance.started_by_id], "terminated", notifications.said(
            "Your case %(key)s was terminated by an administrator: %(reason)s",
            key=instance.business_key, reason=reason), instance.id)
    return instance
