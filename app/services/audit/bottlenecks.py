"""Where cases wait: per step of a process, how long its tasks stayed open
(arrival to completion) over a period — median and 90th percentile."""
from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...models import HumanTask
from ...models.states import TaskStatus
from ..workflow.queries import day_bound
from .replay import require_auditor


@dataclass
class StepWait:
    element_id: str
    name: str
    count: int
    median_hours: float
    p90_hours: float
    open_now: int


def percentile(sorted_values, share):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * share // 1))
    return sorted_values[int(rank) - 1]


def waits(actor, process_key, date_from="", date_to=""):
    """Per step: tasks completed in the period (by arrival), median/p90 wait in hours, and open now."""
    require_auditor(actor)
    query = select(HumanTask.element_id, HumanTask.name, HumanTask.status, HumanTask.created_at,
                   HumanTask.completed_at).where(HumanTask.process_key == process_key)
    if (start := day_bound(date_from)) is not None:
        query = query.where(HumanTask.created_at >= start)
    if (end := day_bound(date_to, end=True)) is not None:
        query = query.where(HumanTask.created_at <= end)
    per_step = {}
    for element_id, name, status, created, completed in db.session.execute(query):
        entry = per_step.setdefault(element_id, {"name": name, "hours": [], "open": 0})
        if status == TaskStatus.COMPLETED and completed is not None:
            entry["hours"].append((completed - created).total_seconds() / 3600)
        elif status == TaskStatus.OPEN:
            entry["open"] += 1
    result = []
    for element_id, entry in per_step.items():
        hours = sorted(entry["hours"])
        result.append(StepWait(element_id, entry["name"], len(hours), round(percentile(hours, 0.5), 2),
                               round(percentile(hours, 0.9), 2), entry["open"]))
    return sorted(result, key=lambda s: -s.p90_hours)
