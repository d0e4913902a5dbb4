"""Both kinds of incident under one reference, for the JSON API (administrators): the list with
filters and pages, one incident with its case's data, and a retry.

A step incident is an `incident` row (a step that failed after a person's decision); a timer
incident is a timer job parked after every retry (`timer_job.status = 'incident'`). Their ids
come from two tables, so an incident is named by kind and id, `step-12` or `timer-7` (as
Camunda's incident ids are opaque strings): a script lists the open incidents and retries each by
the reference it was given, whatever its kind.

A timer incident exists while its job is parked. Its retry puts the job back in the queue, due
now (status `retried` in the answer); from then on it is a job, not an incident (404 here), until
it fails after every retry again and is parked under the same reference. A step incident stays,
`resolved` once a retry ran the step through or its case was terminated.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import selectinload

from ...engine import runner
from ...extensions import db
from ...models import Incident, ProcessDefinition, ProcessInstance, TimerJob
from ...models.jobs import JobStatus
from ...models.states import IncidentStatus
from ..errors import NotFound
from ..workflow import definitions, timer_firing
from ..workflow.queries import Page
from . import incidents
from .guard import require_admin

MAX_ID = 2**31 - 1        # PostgreSQL `integer`: a larger id names no row
STEP, TIMER = "step", "timer"
KINDS = (STEP, TIMER)
RETRIED = "retried"     # a timer incident's job, back in the queue (only a retry's answer says so)
STATUSES = (IncidentStatus.OPEN, IncidentStatus.RESOLVED)
REF_PATTERN = r"(?:step|timer)-[0-9]{1,10}"
_REF = re.compile(r"^(step|timer)-([0-9]{1,10})$")


@dataclass
class IncidentFilter:
    status: str = ""            # open | resolved | "" (both)
    kind: str = ""              # step | timer | "" (both)
    process_key: str = ""
    instance_id: int | None = None


@dataclass
class IncidentView:
    ref: str                    # step-12 | timer-7
    kind: str
    status: str                 # open | resolved | retried
    instance: ProcessInstance | None      # None: a timer start event's job (no case yet)
    process_key: str
    element_id: str
    element_name: str
    error: str
    attempts: int
    created_at: datetime        # a step: when it failed; a timer: when its last attempt was due
    resolved_at: datetime | None = None
    task_id: int | None = None  # a step: the decision that set it off; a deadline timer: its task
    job_kind: str | None = None     # a timer: bpmn_timer, task_due, start_timer or a registry's job
    data: dict | None = None        # one incident: the case data as the next steps read it
    waiting_to_run: list = field(default_factory=list)     # one step incident: the steps to run

    @property
    def instance_id(self):
        return self.instance.id if self.instance is not None else None


def parse_ref(ref):
    """(kind, id) of `step-12` / `timer-7`; NotFound for anything else (an id no table can hold too)."""
    match = _REF.match(str(ref or ""))
    if match is None or not 0 < int(match.group(2)) <= MAX_ID:
        raise NotFound(_("No such incident."))
    return match.group(1), int(match.group(2))


def search(actor, f, page=1, per_page=20):
    """The incidents of both kinds matching `f`, newest first, one page of them."""
    require_admin(actor)
    branches = []
    if f.kind in ("", STEP):
        branches.append(_step_query(f))
    if f.kind in ("", TIMER) and f.status in ("", IncidentStatus.OPEN):
        branches.append(_timer_query(f))
    if not branches:
        return Page([], 0, page, per_page)
    found = union_all(*branches).subquery()
    total = db.session.execute(select(func.count()).select_from(found)).scalar()
    rows = db.session.execute(select(found.c.kind, found.c.id).order_by(
        found.c.at.desc(), found.c.kind, found.c.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(_views(rows), total, page, per_page)


def _step_query(f):
    query = select(literal(STEP).label("kind"), Incident.id.label("id"), Incident.created_at.label("at")) \
        .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
    if f.status:
        query = query.where(Incident.status == f.status)
    if f.process_key:
        query = query.where(ProcessInstance.process_key == f.process_key)
    if f.instance_id is not None:
        query = query.where(Incident.instance_id == f.instance_id)
    return query


def _timer_query(f):
    query = select(literal(TIMER).label("kind"), TimerJob.id.label("id"), TimerJob.due_at.label("at")) \
        .where(TimerJob.status == JobStatus.INCIDENT)
    if f.process_key:       # a case's job by its case; a timer start's job by its definition
        query = query.outerjoin(ProcessInstance, ProcessInstance.id == TimerJob.instance_id) \
            .outerjoin(ProcessDefinition, ProcessDefinition.id == TimerJob.definition_id) \
            .where(func.coalesce(ProcessInstance.process_key, ProcessDefinition.key) == f.process_key)
    if f.instance_id is not None:
        query = query.where(TimerJob.instance_id == f.instance_id)
    return query


def _views(rows):
    """The page's rows as views, in the page's order (two reads, one per kind)."""
    ids = {kind: [row.id for row in rows if row.kind == kind] for kind in KINDS}
    steps = {i.id: i for i in db.session.execute(select(Incident).where(Incident.id.in_(ids[STEP])).options(
        selectinload(Incident.instance).selectinload(ProcessInstance.definition))).scalars()} if ids[STEP] else {}
    jobs = {j.id: j for j in db.session.execute(
        select(TimerJob).where(TimerJob.id.in_(ids[TIMER]))).scalars()} if ids[TIMER] else {}
    return [_step_view(steps[row.id]) if row.kind == STEP else _timer_view(jobs[row.id]) for row in rows]


def _step_view(incident):
    return IncidentView(ref=f"{STEP}-{incident.id}", kind=STEP, status=incident.status, instance=incident.instance,
                        process_key=incident.instance.process_key, element_id=incident.element_id,
                        element_name=incident.element_name, error=incident.error, attempts=incident.attempts,
                        created_at=incident.created_at, resolved_at=incident.resolved_at, task_id=incident.task_id)


def _timer_view(job, status=IncidentStatus.OPEN):
    instance = db.session.get(ProcessInstance, job.instance_id) if job.instance_id is not None else None
    definition_id = instance.definition_id if instance is not None else job.definition_id
    process_key, name = "", job.element_id
    if definition_id is not None:
        compiled = definitions.compiled_by_id(definition_id)
        process_key, name = compiled.key, compiled.element_names.get(job.element_id, job.element_id)
    return IncidentView(ref=f"{TIMER}-{job.id}", kind=TIMER, status=status, instance=instance,
                        process_key=instance.process_key if instance is not None else process_key,
                        element_id=job.element_id, element_name=name, error=job.last_error, attempts=job.attempts,
                        created_at=job.due_at, task_id=job.task_id, job_kind=job.kind)


def _parked(job_id):
    job = db.session.get(TimerJob, job_id)
    if job is None or job.status != JobStatus.INCIDENT:
        raise NotFound(_("No such incident."))
    return job


def detail(actor, ref):
    """One incident, with the data of its case as the next steps read it (a timer start's: none)."""
    require_admin(actor)
    kind, number = parse_ref(ref)
    if kind == STEP:
        found = incidents.incident_detail(actor, number)
        view = _step_view(found.incident)
        view.data, view.waiting_to_run = found.data, found.waiting_to_run
        return view
    view = _timer_view(_parked(number))
    if view.instance is not None:
        view.data = runner.current_data(runner.open_workflow(
            view.instance.state, definitions.compiled_by_id(view.instance.definition_id)))
    return view


def retry(actor, ref):
    """Retry a step incident (run the step now: resolved, or open with the new error) or a timer
    incident (its job is due again now; the scheduler runs it)."""
    require_admin(actor)
    kind, number = parse_ref(ref)
    if kind == STEP:
        return _step_view(incidents.retry(actor, number))
    return _timer_view(timer_firing.retry_incident(actor, number), status=RETRIED)
