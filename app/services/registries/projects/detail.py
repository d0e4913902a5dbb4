"""A project's detail page in one read: the App. E header, the task book in force (App. F), its
version history and a diff between two versions, the targets over time, the milestone timeline,
reports, checks, change requests, risk alerts with their history, the linked problems and the
lifecycle case. Everything through `visible_project`: one rule for who may read it."""
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .... import localtime
from ....extensions import db
from ....models import BreakthroughProject, ChangeRequest, ProjectCheck, RiskAlert, TaskBookVersion
from ....models.states import RiskSeverity
from ..achievements.sharing_priority import has_sharing_priority
from . import progress, requests
from .queries import linked_problems, visible_project
from .versions import DiffView, default_pair, diff_between, in_force, versions_of


@dataclass
class ProjectDetail:
    project: Any
    book: TaskBookVersion | None                       # the version in force
    versions: list = field(default_factory=list)       # versions.VersionEntry, oldest first
    diff: DiffView | None = None
    charts: list = field(default_factory=list)         # progress.target_series
    milestones: list = field(default_factory=list)     # progress.MilestoneState
    reports: list = field(default_factory=list)        # newest first
    checks: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    open_alerts: list = field(default_factory=list)
    closed_alerts: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    budget_total: Any = None
    signatures: list = field(default_factory=list)     # [{unit, name, at (aware datetime or None)}]
    team_may_request: bool = False                     # change requests and risk reports offered
    sharing_priority: bool = False                     # 5.6.3: the lead unit earns from paid sharing


def _checks_of(project_id):
    return db.session.execute(select(ProjectCheck).where(ProjectCheck.project_id == project_id)
                              .order_by(ProjectCheck.decided_at, ProjectCheck.id)).scalars().all()


def _changes_of(project_id):
    return db.session.execute(select(ChangeRequest).where(ChangeRequest.project_id == project_id)
                              .order_by(ChangeRequest.seq)).scalars().all()


def _alerts_of(project_id):
    """The project's alerts, open ones first (most severe, then newest), with their history."""
    alerts = db.session.execute(select(RiskAlert).where(RiskAlert.project_id == project_id)
                                .options(selectinload(RiskAlert.events))
                                .order_by(RiskAlert.opened_at.desc(), RiskAlert.id.desc())).scalars().all()
    return sorted(alerts, key=lambda a: (a.status != "open", -RiskSeverity.RANK.get(a.severity, 0)))


def project_alerts(user, project_id):
    """(project, its risk alerts open and closed, with their history), if `user` may see it."""
    project = visible_project(user, project_id)
    return project, _alerts_of(project.id)


def project_summary(user, project_id):
    """(project, the task book in force or None), if `user` may see the project."""
    project = visible_project(user, project_id)
    linked_problems(user, project)     # sets project.shown_problems
    return project, in_force(versions_of(project), project)


def budget_total(content):
    """The sum of the budget rows (10k yuan), exact; rows without a number count nothing."""
    total = Decimal(0)
    for row in content.get("budget", []):
        try:
            amount = Decimal(str(row.get("amount", "")).strip())
        except InvalidOperation:
            continue
        total += amount if amount.is_finite() else 0
    return total


def _moment(text):
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def signatures_of(book):
    """The signatures of a task book (App. F, 签署页: on version 1, the one all parties signed),
    their moments read as UTC when not marked."""
    rows = book.signatures if book and isinstance(book.signatures, list) else []
    return [{"unit": str(r.get("unit", "")), "name": str(r.get("name") or r.get("user") or ""),
             "at": _moment(r.get("at", ""))} for r in rows if isinstance(r, dict)]


def project_detail(user, project_id, diff_from=None, diff_to=None):
    """Everything the detail page shows; the diff compares `diff_from` with `diff_to`, by default
    the last two versions (none when there is only one)."""
    project = visible_project(user, project_id)
    entries = versions_of(project)
    book = in_force(entries, project)
    pair = (diff_from, diff_to) if diff_from and diff_to else default_pair(entries)
    reports = progress.reports_of(project)
    content = book.content if book else {}
    alerts = _alerts_of(project.id)
    return ProjectDetail(
        project, book, entries, diff_between(entries, *pair) if pair else None,
        progress.target_series(content, reports),
        progress.milestone_timeline(content, reports, localtime.today()),
        list(reversed(reports)), _checks_of(project.id), _changes_of(project.id),
        [a for a in alerts if a.status == "open"], [a for a in alerts if a.status != "open"],
        linked_problems(user, project), budget_total(content),
        signatures_of(entries[0].book if entries else None), requests.team_may_request(user, project),
        has_sharing_priority(db.session, project.consortium.lead_unit_credit_code))


# the parts a review step may show (step property `showProject`, docs/approval-steps.md): the task
# book in force; the progress (targets over time, milestones, quarterly reports, earlier checks); and
# forms the team submitted on the case, shown read-only with the case data (materials, attachments)
BOOK, PROGRESS = "task_book", "reports"
FORM_PARTS = {"acceptance": "project_acceptance_application", "rectification": "project_rectification"}
REVIEW_PARTS = (BOOK, PROGRESS, *FORM_PARTS)


def review_parts(text):
    """The known parts named in a `showProject` value, in the order the page shows them."""
    named = {p.strip() for p in (text or "").split(",")}
    return [p for p in REVIEW_PARTS if p in named]


def review_material(instance_id, parts):
    """The project of a lifecycle case as its review step shows it to the step's reviewers, or None
    when the case has no project yet. No library rule here: the caller has checked that the reader
    may see the task (the experts the case named read what they judge, not the library)."""
    project = db.session.execute(select(BreakthroughProject).where(
        BreakthroughProject.instance_id == instance_id)).scalar_one_or_none()
    if project is None or not parts:
        return None
    entries = versions_of(project)
    book = in_force(entries, project)
    content = book.content if book else {}
    reports = progress.reports_of(project) if PROGRESS in parts else []
    return ProjectDetail(
        project, book, entries,
        charts=progress.target_series(content, reports) if PROGRESS in parts else [],
        milestones=progress.milestone_timeline(content, reports, localtime.today()) if PROGRESS in parts else [],
        reports=list(reversed(reports)), checks=_checks_of(project.id) if PROGRESS in parts else [],
        problems=list(project.problems), budget_total=budget_total(content),
        signatures=signatures_of(entries[0].book if entries else None))
