"""A project's progress as a reader sees it: the quarterly reports, each target's reported values
per quarter against its linear trajectory (app.domain.task_book.expected_value; the data of the
detail page's charts) and the milestones as a timeline (planned date, reported done or not and
when, overdue marked). Days are the programme's local days (app/localtime.py)."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from ....domain import task_book
from ....extensions import db
from ....models import ProgressReport
from .queries import visible_project

MAX_QUARTERS = 80      # a 20-year project: more is a typing error, not a plan to chart


def reports_of(project):
    """The quarterly reports of a project (one `visible_project` gave), oldest first."""
    return db.session.execute(select(ProgressReport).where(ProgressReport.project_id == project.id)
                              .order_by(ProgressReport.period_end, ProgressReport.id)).scalars().all()


def project_reports(user, project_id):
    """(project, its progress reports oldest first), if `user` may see the project."""
    project = visible_project(user, project_id)
    return project, reports_of(project)


def _number(value):
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return float(number) if number.is_finite() else None


def quarters(start, end):
    """The quarter labels from the one holding `start` to the one holding `end`."""
    labels, year, quarter, last = [], start.year, (start.month - 1) // 3 + 1, task_book.quarter_of(end)
    while len(labels) < MAX_QUARTERS:
        labels.append(f"{year}Q{quarter}")
        if labels[-1] == last:
            break
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return labels


def target_series(content, reports):
    """Per target of the task book: the quarters, the value planned at each quarter's end and the
    value reported for it (None where nothing was reported). Empty without a valid period."""
    start, end = task_book.period(content)
    if not start or not end or end <= start:
        return []
    labels = quarters(start, end)
    reported = {r.period: {t.get("key"): t.get("value") for t in r.targets or [] if isinstance(t, dict)}
                for r in reports}
    series = []
    for target in content.get("targets", []):
        expected = [task_book.expected_value(target, start, end, task_book.quarter_end(q)) for q in labels]
        series.append({
            "key": target.get("key", ""), "kind": target.get("kind", ""),
            "name": target.get("name") or target.get("product", ""), "unit": target.get("unit", ""),
            "quarters": labels,
            "expected": [None if v is None else float(round(v, 4)) for v in expected],
            "reported": [_number(reported.get(q, {}).get(target.get("key"))) for q in labels],
        })
    return series


@dataclass
class MilestoneState:
    key: str
    name: str
    due: str
    deliverable: str
    done: bool
    done_period: str = ""        # the quarter whose report first said it was done
    done_at: datetime | None = None
    note: str = ""
    overdue: bool = False        # planned date passed, not reported done


def milestone_timeline(content, reports, today):
    """The task book's milestones in planned order, each with what the reports said of it."""
    states = []
    for row in sorted(content.get("milestones", []), key=lambda m: m.get("due", "")):
        state = MilestoneState(row.get("key", ""), row.get("name", ""), row.get("due", ""),
                               row.get("deliverable", ""), False)
        for report in reports:
            said = next((m for m in report.milestones or [] if isinstance(m, dict) and m.get("key") == state.key),
                        None)
            if said is None:
                continue
            state.note = str(said.get("note") or state.note)
            if said.get("done") and not state.done:
                state.done, state.done_period, state.done_at = True, report.period, report.submitted_at
        state.overdue = not state.done and bool(state.due) and state.due < today.isoformat()
        states.append(state)
    return states
