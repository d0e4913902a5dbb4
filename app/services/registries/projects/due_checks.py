"""The moments a project's system warnings fall due (5.5.4d), acted on exactly then, never by polling.

- milestone_overdue: a timer job (`milestone_due`) per milestone of the task book in force, due at
  the end of the milestone's day in Guangzhou (Asia/Shanghai); a change request that moves the
  milestones cancels the jobs and writes new ones. The scheduler fires each once
  (workflow/timer_firing.py, through `workflow.handlers.JOB_HOOKS`); if the milestone is not
  reported done by then, the alert opens.
- report_missing, rectification_overdue: the diagram's step carries `camunda:dueDate` and
  `timeoutPolicy=alert` with `riskRule=<rule>`; when the step's due job fires with the task still
  open, `workflow.handlers.ALERT_HOOKS[rule]` opens the alert and the task stays open.
Completing the report (reports.py) or the rectification (checks.py) closes them.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from .... import localtime
from ....domain import task_book
from ....models import ProgressReport, TimerJob
from ....models.jobs import JobStatus
from ....models.states import ProjectStatus, RiskRule
from ...notify.notifications import said
from . import alerts, records

JOB_KIND = "milestone_due"


def end_of_day(day: date) -> datetime:
    """The first moment after `day` ends in Guangzhou (stored as UTC)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=localtime.zone())


def schedule_milestones(ctx, project, document):
    """One pending job per milestone of `document` (the book now in force); the project's earlier
    milestone jobs are cancelled. Returns the jobs written."""
    ctx.session.execute(update(TimerJob).where(
        TimerJob.kind == JOB_KIND, TimerJob.status == JobStatus.PENDING,
        TimerJob.policy["project_id"].as_integer() == project.id).values(status=JobStatus.CANCELLED))
    jobs = [TimerJob(kind=JOB_KIND, instance_id=project.instance_id, element_id="", due_at=end_of_day(day),
                     policy={"project_id": project.id, "milestone": key, "due": day.isoformat()})
            for key, day in task_book.milestone_dates(document).items()]
    ctx.session.add_all(jobs)
    return jobs


def pending_milestone_jobs(session, project):
    return session.execute(select(TimerJob).where(
        TimerJob.kind == JOB_KIND, TimerJob.status == JobStatus.PENDING,
        TimerJob.policy["project_id"].as_integer() == project.id).order_by(TimerJob.due_at)).scalars().all()


def milestones_done(session, project):
    """The keys of the milestones any report gave as done."""
    rows = session.execute(select(ProgressReport.milestones).where(ProgressReport.project_id == project.id))
    return {m.get("key") for (milestones,) in rows for m in milestones or [] if m.get("done")}


def milestone_due(ctx, job, instance, moment):
    """The job of a milestone fired (`JOB_HOOKS["milestone_due"]`): alert unless it was reported done."""
    policy = job.policy or {}
    project = records.load(ctx, policy.get("project_id"))
    if project.status != ProjectStatus.EXECUTING:
        return
    key = policy.get("milestone")
    if key in milestones_done(ctx.session, project):
        return
    due = date.fromisoformat(policy["due"])
    days = max((localtime.local(moment).date() - due).days - 1, 0)
    alerts.open_alert(ctx, project, RiskRule.MILESTONE_OVERDUE, key,
                      said("Milestone %(key)s is past its date %(due)s and not reported done.", key=key,
                           due=due.isoformat()), instance=instance,
                      days_overdue=days, detail={"milestone": key, "due": due.isoformat()}, at=moment)


def report_missing(ctx, instance, task, moment, data):
    """The quarterly report step passed its due time with the task open (`ALERT_HOOKS`)."""
    project = records.of_instance(ctx, instance)
    quarter = str(data.get("report_quarter") or "")
    alerts.open_alert(ctx, project, RiskRule.REPORT_MISSING, quarter,
                      said("The progress report of %(quarter)s is overdue.", quarter=quarter), instance=instance,
                      detail={"quarter": quarter, "task_id": task.id, "due_at": task.due_at.isoformat()}, at=moment)


def rectification_overdue(ctx, instance, task, moment, data):
    """The rectification after a mid-term check passed its deadline with the task open (`ALERT_HOOKS`)."""
    project = records.of_instance(ctx, instance)
    subject = f"midterm-{data.get('midterm_round', 1)}"
    alerts.open_alert(ctx, project, RiskRule.RECTIFICATION_OVERDUE, subject,
                      said("The rectification after the mid-term check is overdue (deadline %(deadline)s).",
                           deadline=str(data.get("rectification_deadline", ""))), instance=instance,
                      detail={"task_id": task.id, "deadline": str(data.get("rectification_deadline", ""))}, at=moment)


def quarters(document):
    """The quarter labels the project reports on: from its start's quarter to its end's."""
    start, end = task_book.period(document)
    if start is None or end is None:
        return []
    labels, day = [], start
    while day <= end:
        labels.append(task_book.quarter_of(day))
        day = task_book.quarter_end(labels[-1]) + timedelta(days=1)
    return labels
