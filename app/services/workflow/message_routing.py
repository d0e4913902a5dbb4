"""Delivering a message or signal inside a running command: to waiting cases, to start events,
or, for a message nobody waits for, to the pending list.

Every function takes the command's context: a delivery is part of the sender's
transaction (an API call's command, or the step of the case that threw it), so if
the sender's command fails nothing was delivered. `apply` is steps.apply_step,
passed in because saving a receiving case's step may itself throw messages
(steps calls `route_thrown`; this module cannot import steps).

Receiving cases are locked in id order (`loading.lock_case`), as every command
that moves a case does.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ...engine import delivery, runner
from ...engine.events import MESSAGE, SIGNAL
from ...models import PendingMessage, ProcessInstance
from ...models.messages import PendingStatus
from ...models.states import InstanceStatus
from ..audit import trail as audit
from ..errors import Conflict, NotFound
from . import definitions, subscriptions
from .case_keys import business_key as new_business_key
from .engine_calls import audited_handlers, run_engine
from .loading import lock_case

MAX_HOPS = 20       # a message that sets off a message that sets off … : a loop in the diagrams, not a procedure


class MessageNotCorrelated(NotFound):
    """No running case and no process start waits for the message."""


class MessageAmbiguous(Conflict):
    """Several receivers wait for the message and the sender asked for exactly one."""


def starters(kind, name):
    """The newest versions whose message or signal start event catches this (kind, name), by key."""
    found = []
    for definition in definitions.list_latest():
        compiled = definitions.compiled(definition)
        if any(k == kind and n == name for k, n, _element in compiled.event_starts):
            found.append(definition)
    return found


def receivers(session, name, business_key=None, correlation_keys=None, exclude=None):
    """(waiting case ids, definitions started by it) for a message, before any delivery."""
    cases = subscriptions.waiting(session, MESSAGE, name, business_key, exclude)
    if correlation_keys:
        cases = [case_id for case_id in cases if _matches(session, case_id, correlation_keys)]
    # a start event makes a new case: it has no data to match correlation keys against
    starts = [] if correlation_keys else starters(MESSAGE, name)
    return cases, starts


def _matches(session, case_id, correlation_keys):
    """Whether the case's data holds every correlation key with an equal value (only the cases already
    waiting for the message by name are read)."""
    instance = session.get(ProcessInstance, case_id)
    data = runner.current_data(runner.open_workflow(instance.state, definitions.compiled_by_id(instance.definition_id)))
    return all(key in data and data[key] == value for key, value in correlation_keys.items())


def deliver_to_case(ctx, case_id, kind, name, variables, source, apply, hops=0):
    """Hand the message or signal to one waiting case and save its step. Returns the case, or None if
    it no longer waits (it moved on since the subscription was read, or has ended)."""
    instance = lock_case(case_id)
    if instance is None or instance.status != InstanceStatus.RUNNING:
        return None
    compiled = definitions.compiled_by_id(instance.definition_id)

    def go():
        workflow = runner.open_workflow(instance.state, compiled, audited_handlers(ctx, instance, ctx.actor))
        before = len(runner.snapshot_path(workflow))
        caught = delivery.deliver(workflow, kind, name, variables, source.get("element", ""))
        return workflow, before, caught
    workflow, before, caught = run_engine(go)
    if not caught:
        return None
    _record_received(ctx, instance, compiled, workflow, kind, name, variables, source, before)
    apply(ctx, instance, compiled, workflow, hops=hops + 1)
    return instance


def _record_received(ctx, instance, compiled, workflow, kind, name, variables, source, before):
    elements = [s.element_id for s in subscriptions.of_instance(ctx.session, instance.id)
                if s.kind == kind and s.name == name]
    element = elements[0] if elements else ""
    audit.record(ctx, f"{kind}_received", actor=ctx.actor, instance_id=instance.id, element_id=element,
                 element_name=compiled.element_names.get(element, element), data={
                     "name": name, "variables": variables or {}, "source": source,
                     "path": runner.snapshot_path(workflow)[before:], "waiting": runner.waiting_elements(workflow)})


def _applicant(ctx):
    """Who the new case is for in the inboxes' 申请人 column: the sending user's unit (a member who
    applies, asks for access or for a licence); none for the system or a sender of no unit."""
    if ctx.actor is None or ctx.actor.unit_id is None:
        return ""
    return (ctx.members.unit_name(ctx.actor.unit_id) or "")[:200]


def start_by_event(ctx, definition, kind, name, variables, source, apply, business_key=None, hops=0):
    """Start a case of `definition` at its message or signal start event (inside a command)."""
    compiled = definitions.compiled(definition)
    if business_key and ctx.session.execute(select(ProcessInstance.id).where(
            ProcessInstance.business_key == business_key)).first() is not None:
        raise Conflict(_("A case with business key %(key)s exists already.", key=business_key))
    instance = ProcessInstance(
        definition_id=definition.id, process_key=definition.key,
        business_key=business_key or new_business_key(compiled.settings, ctx.now), title="",
        status=InstanceStatus.RUNNING, state="", started_by_id=ctx.actor.id if ctx.actor is not None else None,
        started_at=ctx.now, applicant=_applicant(ctx))
    ctx.session.add(instance)
    ctx.session.flush()      # its id: the audit chain and the inbox rows name it
    initial = {"initiator": ctx.actor.username if ctx.actor is not None else "", "started_by_event": name}
    audit.record(ctx, "instance_started", actor=ctx.actor, instance_id=instance.id, data={
        "process": definition.key, "version": definition.version, "business_key": instance.business_key,
        "data": initial, kind: name})

    def go():
        workflow = runner.new_workflow(compiled, initial, audited_handlers(ctx, instance, ctx.actor))
        runner.advance(workflow)
        if not delivery.deliver(workflow, kind, name, variables, source.get("element", "")):
            raise Conflict(_("The start event of %(key)s did not catch %(name)s.", key=definition.key, name=name))
        return workflow
    workflow = run_engine(go)
    start = next((element for k, n, element in compiled.event_starts if k == kind and n == name), "")
    audit.record(ctx, f"{kind}_received", actor=ctx.actor, instance_id=instance.id, element_id=start,
                 element_name=compiled.element_names.get(start, start), data={
                     "name": name, "variables": variables or {}, "source": source,
                     "path": runner.snapshot_path(workflow), "waiting": runner.waiting_elements(workflow)})
    apply(ctx, instance, compiled, workflow, hops=hops + 1)
    return instance


def deliver_message(ctx, name, variables, source, apply, business_key=None, correlation_keys=None,
                    all_receivers=False, exclude=None, hops=0):
    """Correlate a message (Camunda's rules) and deliver it. Returns the cases delivered to or started.

    Exactly one receiver, or every one with `all_receivers`; none: MessageNotCorrelated; several
    without `all_receivers`: MessageAmbiguous. Waiting cases come before start events."""
    cases, starts = receivers(ctx.session, name, business_key, correlation_keys, exclude)
    count = len(cases) + len(starts)
    if count == 0:
        raise MessageNotCorrelated(_("No case or process waits for message '%(name)s'%(key)s.", name=name,
                                     key=_(" with business key %(key)s", key=business_key) if business_key else ""))
    if count > 1 and not all_receivers:
        raise MessageAmbiguous(_("%(n)d receivers wait for message '%(name)s'; name the business key or "
                                 "correlation keys, or deliver to all.", n=count, name=name))
    delivered = [deliver_to_case(ctx, case_id, MESSAGE, name, variables, source, apply, hops) for case_id in cases]
    delivered += [start_by_event(ctx, definition, MESSAGE, name, variables, source, apply,
                                 business_key=business_key if not all_receivers else None, hops=hops)
                  for definition in starts]
    delivered = [instance for instance in delivered if instance is not None]
    if not delivered:       # the one subscribed case moved on under its lock before the message came
        raise MessageNotCorrelated(_("No case or process waits for message '%(name)s'%(key)s.", name=name, key=""))
    return delivered


def broadcast(ctx, name, variables, source, apply, exclude=None, hops=0):
    """A signal: every waiting case catches it, every signal start event starts a case."""
    delivered = [deliver_to_case(ctx, case_id, SIGNAL, name, variables, source, apply, hops)
                 for case_id in subscriptions.waiting(ctx.session, SIGNAL, name, exclude=exclude)]
    delivered += [start_by_event(ctx, definition, SIGNAL, name, variables, source, apply, hops=hops)
                  for definition in starters(SIGNAL, name)]
    return [instance for instance in delivered if instance is not None]


def keep_pending(ctx, name, variables, source, business_key=None, correlation_keys=None):
    """A message nobody waits for: kept, listed, delivered when a receiver is deployed."""
    row = PendingMessage(name=name[:200], business_key=business_key, correlation_keys=correlation_keys or None,
                         variables=variables or None, source_instance_id=source.get("instance"),
                         source_element_id=source.get("element", ""), status=PendingStatus.PENDING,
                         sent_by_id=ctx.actor.id if ctx.actor is not None else None, created_at=ctx.now)
    ctx.session.add(row)
    ctx.session.flush()      # its id goes into the sender's audit event
    return row


def route_thrown(ctx, instance, compiled, thrown, apply, hops=0):
    """Deliver what a case threw to other cases (inside the step's command), recording each on the
    thrower's chain: delivered (the targets), or kept as a pending message."""
    if hops > MAX_HOPS:
        raise Conflict(_("Messages set off more than %(n)d further messages in one action; the diagrams loop.",
                         n=MAX_HOPS))
    for each in thrown:
        source = {"instance": instance.id, "business_key": instance.business_key, "element": each.element_id,
                  "process": instance.process_key}
        pending = None
        if each.kind == SIGNAL:
            targets = broadcast(ctx, each.name, each.variables, source, apply, exclude=instance.id, hops=hops)
        else:
            try:
                targets = deliver_message(ctx, each.name, each.variables, source, apply, each.business_key,
                                          exclude=instance.id, hops=hops)
            except MessageNotCorrelated:
                targets, pending = [], keep_pending(ctx, each.name, each.variables, source, each.business_key)
        audit.record(ctx, f"{each.kind}_sent", actor=ctx.actor, instance_id=instance.id, element_id=each.element_id,
                     element_name=compiled.element_names.get(each.element_id, each.element_id), data={
                         "name": each.name, "business_key": each.business_key, "variables": each.variables,
                         "targets": [{"instance": t.id, "business_key": t.business_key} for t in targets],
                         **({"pending": pending.id} if pending is not None else {})})


def pending_ids(session, names=None):
    """Ids of the pending messages (with one of `names`), oldest first."""
    query = select(PendingMessage.id).where(PendingMessage.status == PendingStatus.PENDING).order_by(PendingMessage.id)
    if names is not None:
        query = query.where(PendingMessage.name.in_(list(names)))
    return session.execute(query).scalars().all()


def deliver_pending(ctx, row_id, apply):
    """Deliver one pending message if it now has exactly one receiver (inside a command). Returns the
    row when delivered; None when it is gone, or still has nobody or several (it stays listed)."""
    row = ctx.session.get(PendingMessage, row_id, with_for_update=True)
    if row is None or row.status != PendingStatus.PENDING:
        return None         # another command delivered it meanwhile
    cases, starts = receivers(ctx.session, row.name, row.business_key, row.correlation_keys,
                              exclude=row.source_instance_id)
    if len(cases) + len(starts) != 1:
        return None
    source = {"pending": row.id, "instance": row.source_instance_id, "element": row.source_element_id}
    [target] = deliver_message(ctx, row.name, row.variables or {}, source, apply, row.business_key,
                               row.correlation_keys, exclude=row.source_instance_id)
    row.status, row.delivered_at, row.delivered_to_id = PendingStatus.DELIVERED, ctx.now, target.id
    return row


def pending(session, limit=500):
    return session.execute(select(PendingMessage).where(PendingMessage.status == PendingStatus.PENDING)
                           .order_by(PendingMessage.id.desc()).limit(limit)).scalars().all()

