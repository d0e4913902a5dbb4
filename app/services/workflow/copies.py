"""Copies of a case for information (抄送): rows in the recipient's CC inbox and a notification."""
from ...models import CarbonCopy
from ..audit import trail as audit
from ..notify import notifications


def copy_to(ctx, instance, users, actor, note="", element_id=""):
    """Copy the case to `users` (anything with .id and .username); the rows are written at the command's end."""
    for user in users:
        ctx.append(CarbonCopy.__table__, {
            "instance_id": instance.id, "user_id": user.id, "sender_id": actor.id if actor else None,
            "element_id": element_id, "note": note[:500], "created_at": ctx.now, "read_at": None})
    notifications.notify(ctx, [u.id for u in users], "cc", notifications.said(
        "Copied to you: %(case)s", case=instance.title or instance.business_key), instance.id)
    audit.record(ctx, "case_copied", actor=actor, instance_id=instance.id, element_id=element_id,
                 data={"to": [u.username for u in users], "note": note})
