"""The message and signal commands: correlate a message, broadcast a signal, list and retry the
pending messages (app/services/workflow/message_routing.py does the delivering).

`correlate` follows Camunda's rules: exactly one receiver (a case waiting for the
message, or a process whose message start event catches it) is delivered to; none
is `MessageNotCorrelated` (404), several is `MessageAmbiguous` (409) unless
`all=True`. The business key and the correlation keys (case variables compared by
equality) narrow the waiting cases; a start event receives only when no correlation
key is given, and the new case takes the given business key.

Who may send: administrators, and members of a receiving process's
`messageSenderGroups` (a process camunda:property, comma-separated groups; without it,
its `camunda:candidateStarterGroups`). Every receiver must allow the sender, or nothing is
delivered (403). The delivery is part of the command: the receiving cases' steps, their
audit events (`message_received` / `signal_received`) and the sender's event
(`message_sent` / `signal_sent`, on the system chain) commit together or not at all.
"""
import logging

from flask_babel import gettext as _

from ...engine.events import MESSAGE, SIGNAL
from ...engine.steps import split_list
from ...extensions import db
from ...models import ProcessInstance
from ..audit import trail as audit
from ..command import command
from ..errors import Forbidden, ServiceError, ValidationFailed
from ..identity.permissions import is_admin
from . import definitions, message_routing, subscriptions
from .message_routing import MessageAmbiguous, MessageNotCorrelated
from .steps import apply_step

__all__ = ["MessageAmbiguous", "MessageNotCorrelated", "broadcast_signal", "correlate", "pending_messages",
           "retry_pending"]
MAX_NAME = 200
log = logging.getLogger(__name__)


def may_send_to(actor, compiled):
    """Whether the actor may send a message or signal that this definition receives."""
    if is_admin(actor):
        return True
    settings = compiled.settings
    groups = split_list(settings.properties.get("messageSenderGroups")) or list(settings.starter_groups)
    return bool(set(groups) & actor.group_keys)


def _check_name(name):
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ValidationFailed(_("A message or signal needs a name of 1 to %(n)d characters.", n=MAX_NAME),
                               {"messageName": [_("Required, at most %(n)d characters.", n=MAX_NAME)]})
    return name.strip()


def _check_rights(ctx, actor, kind, name, business_key=None, correlation_keys=None):
    """Refuse (403) unless the actor may reach every receiver; read before anything is delivered."""
    if kind == MESSAGE:
        cases, starts = message_routing.receivers(ctx.session, name, business_key, correlation_keys)
    else:
        cases, starts = subscriptions.waiting(ctx.session, SIGNAL, name), \
            message_routing.starters(SIGNAL, name)
    compiled = [definitions.compiled(d) for d in starts]
    compiled += [definitions.compiled_by_id(ctx.session.get(ProcessInstance, case_id).definition_id)
                 for case_id in cases]
    if not all(may_send_to(actor, c) for c in compiled):
        raise Forbidden(_("You may not send '%(name)s' to the processes that wait for it.", name=name))


def correlate(actor, name, business_key=None, correlation_keys=None, variables=None, all=False):  # noqa: A002
    """Deliver a message (see the module docstring). Returns the cases delivered to or started."""
    name = _check_name(name)
    if actor is None:
        raise Forbidden(_("Log in to send messages."))
    with command(actor) as ctx:
        _check_rights(ctx, actor, MESSAGE, name, business_key, correlation_keys)
        source = {"actor": actor.username}
        targets = message_routing.deliver_message(ctx, name, dict(variables or {}), source, apply_step,
                                                  business_key, dict(correlation_keys or {}) or None, all)
        audit.record(ctx, "message_sent", actor=actor, data={
            "name": name, "business_key": business_key, "correlation_keys": correlation_keys or {},
            "variables": variables or {}, "all": bool(all),
            "targets": [{"instance": t.id, "business_key": t.business_key} for t in targets]})
    return targets


def broadcast_signal(actor, name, variables=None):
    """Every case waiting for the signal catches it; every signal start event starts a case.
    Returns the cases reached (none is not an error: a signal is broadcast, not addressed)."""
    name = _check_name(name)
    if actor is None:
        raise Forbidden(_("Log in to send signals."))
    with command(actor) as ctx:
        _check_rights(ctx, actor, SIGNAL, name)
        targets = message_routing.broadcast(ctx, name, dict(variables or {}), {"actor": actor.username}, apply_step)
        audit.record(ctx, "signal_sent", actor=actor, data={
            "name": name, "variables": variables or {},
            "targets": [{"instance": t.id, "business_key": t.business_key} for t in targets]})
    return targets


def pending_messages(actor):
    """Thrown messages no case or process waited for (administrators)."""
    if not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    return message_routing.pending(db.session)


def retry_pending(actor, names=None):
    """Deliver the pending messages that now have exactly one receiver (administrators; and right after
    a deploy whose message start events receive some). Each is its own command: one that fails (its
    receiver refuses it) stays listed and the others go on. Returns the rows delivered."""
    if actor is not None and not is_admin(actor):
        raise Forbidden(_("Administrators only."))
    delivered = []
    for row_id in message_routing.pending_ids(db.session, names):
        try:
            with command(actor) as ctx:
                row = message_routing.deliver_pending(ctx, row_id, apply_step)
        except ServiceError as exc:
            log.warning("pending message %s not delivered: %s", row_id, exc.message)
            continue
        if row is not None:
            delivered.append(row)
    return delivered
