"""Statistics for the district and city offices: cases by status, open work by step with what is
overdue, average and 90th-percentile time per step, and the monthly trend — over the cases the
office oversees (a district office: its district; the city office, auditors and administrators:
all, or one district).

Counts come from grouped SQL; step times and months from the rows of the last twelve months,
bucketed in the programme's time zone. Read-only: no command, no audit event."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ... import localtime
from ...domain.districts import DISTRICTS
from ...extensions import db
from ...models import HumanTask, ProcessInstance
from ...models.states import TaskStatus
from ..audit.bottlenecks import percentile
from ..errors import Forbidden, ValidationFailed
from ..identity.permissions import districts_of, is_global_reader
from ..workflow import definitions

WINDOW = timedelta(days=365)     # step times and the monthly trend look back one year


@dataclass
class StepTime:
    process: str
    step: str
    count: int
    mean_hours: float
    p90_hours: float


@dataclass
class OfficeStatistics:
    districts: list                                   # what the viewer may choose ([] = all, fixed)
    district: str                                     # the one shown ("" = all the viewer oversees)
    by_status: list = field(default_factory=list)     # [(process name, status or outcome, count)]
    open_steps: list = field(default_factory=list)    # [(process name, step, open, overdue)]
    step_times: list = field(default_factory=list)    # [StepTime]
    months: list = field(default_factory=list)        # [(YYYY-MM, started, ended)]

    @property
    def slowest_steps(self):
        """The ten slowest steps (by 90th percentile), as the chart reads them."""
        return [{"step": s.step, "mean_hours": s.mean_hours, "p90_hours": s.p90_hours} for s in self.step_times[:10]]


def may_see_statistics(user):
    return user is not None and (is_global_reader(user) or bool(districts_of(user)))


def scope_of(user):
    """The districts `user` oversees: None for all (city level), a set for district offices."""
    if is_global_reader(user):
        return None
    own = districts_of(user)
    if own:
        return own
    raise Forbidden(_("Statistics are for the district and city offices, auditors and administrators."))


def office_statistics(user, district="", now=None):
    scope = scope_of(user)
    if district and scope is not None and district not in scope:
        raise Forbidden(_("That district is not yours."))
    if district and district not in DISTRICTS:
        raise ValidationFailed(_("No such district."), {"district": [_("No such district.")]})
    shown = {district} if district else scope
    now = now or datetime.now(timezone.utc)
    choices = list(DISTRICTS) if scope is None else (sorted(scope) if len(scope) > 1 else [])
    return OfficeStatistics(districts=choices, district=district, by_status=_by_status(shown),
                            open_steps=_open_steps(shown, now), step_times=_step_times(shown, now),
                            months=_months(shown, now))


def _in(column, districts):
    return column.in_(sorted(districts)) if districts is not None else True


def _by_status(districts):
    label = case((ProcessInstance.outcome != "", ProcessInstance.outcome), else_=ProcessInstance.status)
    rows = db.session.execute(select(ProcessInstance.process_key, label, func.count())
                              .where(_in(ProcessInstance.district, districts))
                              .group_by(ProcessInstance.process_key, label)
                              .order_by(ProcessInstance.process_key, label)).all()
    names = {d.key: d.name for d in definitions.list_latest()}
    return [(names.get(key, key), status, count) for key, status, count in rows]


def _open_steps(districts, now):
    overdue = func.sum(case((HumanTask.due_at < now, 1), else_=0))
    rows = db.session.execute(select(HumanTask.process_name, HumanTask.name, func.count(), overdue)
                              .where(HumanTask.status == TaskStatus.OPEN, _in(HumanTask.district, districts))
                              .group_by(HumanTask.process_name, HumanTask.name)
                              .order_by(func.count().desc())).all()
    return [(process, step, count, int(late or 0)) for process, step, count, late in rows]


def _step_times(districts, now):
    rows = db.session.execute(select(HumanTask.process_name, HumanTask.name, HumanTask.created_at,
                                     HumanTask.completed_at)
                              .where(HumanTask.status == TaskStatus.COMPLETED, HumanTask.completed_at >= now - WINDOW,
                                     _in(HumanTask.district, districts)))
    hours = {}
    for process, step, created, completed in rows:
        hours.setdefault((process, step), []).append((completed - created).total_seconds() / 3600)
    result = [StepTime(process, step, len(values), round(sum(values) / len(values), 1),
                       round(percentile(sorted(values), 0.9), 1)) for (process, step), values in hours.items()]
    return sorted(result, key=lambda s: -s.p90_hours)


def _months(districts, now):
    since = now - WINDOW
    rows = db.session.execute(select(ProcessInstance.started_at, ProcessInstance.ended_at)
                              .where(_in(ProcessInstance.district, districts),
                                     (ProcessInstance.started_at >= since) | (ProcessInstance.ended_at >= since)))
    started, ended = {}, {}
    for start, end in rows:
        if start >= since:
            month = f"{localtime.local(start):%Y-%m}"
            started[month] = started.get(month, 0) + 1
        if end is not None and end >= since:
            month = f"{localtime.local(end):%Y-%m}"
            ended[month] = ended.get(month, 0) + 1
    months, cursor = [], localtime.local(since).replace(day=1)
    last = f"{localtime.local(now):%Y-%m}"
    while (label := f"{cursor:%Y-%m}") <= last:
        months.append((label, started.get(label, 0), ended.get(label, 0)))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months
