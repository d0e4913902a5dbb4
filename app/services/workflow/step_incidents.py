"""A step that fails after a person's decision becomes an incident instead of undoing the decision.

As Camunda does for an asynchronous continuation: the person's completion is one unit, the
automatic steps after it another. `run_on` runs those steps inside a savepoint; when one fails (a
service task raising, a condition that cannot be evaluated) the savepoint is rolled back with
everything the steps queued, the workflow goes back to the moment right after the decision (the
failed steps READY again), and an `incident` row records the error, the element and when (its
audit event, `incident_created`, follows the decision's). The
command then saves the decision as usual. Administrators see the incident, may correct the case
data and retry it (app/services/operations/incidents.py), which runs the steps again.

Failures that are not the process's (a lost race, a registry refusing what the person entered)
still end the whole command with their error, as before.
"""
from sqlalchemy import select

from ...engine import runner
from ...models import Incident
from ...models.states import IncidentStatus
from ..audit import trail as audit
from ..identity.permissions import ADMINS
from ..notify import notifications
from .engine_calls import ProcessFailed, failing_element, run_engine


def run_on(ctx, instance, compiled, workflow, rebuild, task=None):
    """Run the automatic steps after a decision. Returns (workflow, incident or None).

    `rebuild()` gives the workflow again as it was right after the decision (the failed attempt
    leaves it half run); it is only called after a failure, so the usual path costs one savepoint."""
    mark = ctx.mark()
    try:
        with ctx.session.begin_nested():
            run_engine(lambda: runner.advance(workflow))
        return workflow, None
    except ProcessFailed as exc:
        ctx.rewind(mark)
        restored = rebuild()
        return restored, record(ctx, instance, compiled, restored, exc, task)


def failed_element(workflow, exc):
    """The step that failed: named by the error, else the first automatic step waiting to run."""
    element = failing_element(exc.__cause__)
    if element:
        return element
    ready = runner.engine_steps_ready(workflow)
    return ready[0] if ready else ""


def record(ctx, instance, compiled, workflow, exc, task=None):
    """Open an incident for the failed step (or count another failure of the open one)."""
    element = failed_element(workflow, exc)
    name = compiled.element_names.get(element, element)
    incident = ctx.session.execute(select(Incident).where(
        Incident.instance_id == instance.id, Incident.status == IncidentStatus.OPEN,
        Incident.element_id == element)).scalars().first()
    if incident is None:
        incident = Incident(instance_id=instance.id, element_id=element[:100], element_name=name[:200],
                            task_id=task.id if task is not None else None, created_at=ctx.now, attempts=0,
                            status=IncidentStatus.OPEN)
        ctx.session.add(incident)
    incident.attempts += 1
    incident.error = exc.message[:4000]
    ctx.session.flush()         # its id goes into the audit event
    audit.record_after_next(ctx, "incident_created", actor=ctx.actor, instance_id=instance.id, element_id=element,
                 element_name=name, data={"incident": incident.id, "error": incident.error})
    notifications.notify(ctx, notifications.member_ids(ctx, [ADMINS]), "incident", notifications.said(
        "A step failed and waits for an administrator: %(step)s — %(case)s", step=name,
        case=instance.title or instance.business_key), instance.id)
    return incident


def open_incidents(session, instance_id):
    return session.execute(select(Incident).where(
        Incident.instance_id == instance_id, Incident.status == IncidentStatus.OPEN)
        .order_by(Incident.id)).scalars().all()

