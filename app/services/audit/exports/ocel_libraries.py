"""The library records an OCEL log's cases act on: achievements, quality problems, breakthrough projects.

Which cases carry which record, and with what qualifier:
- achievement: its admission case ("admitted"), a directed sharing request ("shares"), a licence
  agreement ("licenses");
- problem: every case that set one of its statuses, from the history the library keeps
  (ProblemStatusChange.instance_id): the report that registered it ("reported"), the yearly review
  that merged or delisted it and the project that took it up or solved it ("changed status");
  and every problem a yearly review decided on ("reviewed", ProblemReviewOutcome);
- project: its lifecycle case ("runs"); a project object relates to the problems it addresses.
The events of a case about one record (an admission, a sharing request, a licence, a report, a
project's lifecycle) relate to that record too; a review of hundreds of problems relates its case
object only.

The cases come from the audit search, which leaves out the cases of achievements the exporting user
may not read; problems and projects are read by every role that may export (auditors, administrators).
"""
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ....extensions import db
from ....models import (
    AccessGrant,
    Achievement,
    BreakthroughProject,
    LicenceAgreement,
    ProblemReviewOutcome,
    ProblemStatusChange,
    QualityProblem,
)
from .common import object_attr

OBJECT_TYPES = [
    {"name": "achievement", "attributes": [
        {"name": "number", "type": "string"}, {"name": "name", "type": "string"},
        {"name": "kind", "type": "string"}, {"name": "chain", "type": "string"},
        {"name": "contributor", "type": "string"}, {"name": "share_level", "type": "string"},
        {"name": "status", "type": "string"}]},
    {"name": "problem", "attributes": [
        {"name": "number", "type": "string"}, {"name": "title", "type": "string"},
        {"name": "chain", "type": "string"}, {"name": "category", "type": "string"},
        {"name": "grade", "type": "string"}, {"name": "status", "type": "string"}]},
    {"name": "project", "attributes": [
        {"name": "number", "type": "string"}, {"name": "name", "type": "string"},
        {"name": "chain", "type": "string"}, {"name": "lead_unit_name", "type": "string"},
        {"name": "status", "type": "string"}]},
]
# the qualifiers of the record a case is about (its admission, sharing request, licence, report or
# lifecycle): each of its events relates to that record too
_CASE_OF = {"admitted", "shares", "licenses", "reported", "runs"}


@dataclass
class Carried:
    """What one case carries: (object id, qualifier) in the order found, and the records behind them."""
    links: list[tuple[str, str]] = field(default_factory=list)

    def add(self, object_id, qualifier):
        if (object_id, qualifier) not in self.links:
            self.links.append((object_id, qualifier))


class LibraryObjects:
    """The library objects of one export: found for its cases, each written once."""

    def __init__(self, instances):
        self.ids = [i.id for i in instances]
        self.records: dict[str, Any] = {}          # object id -> record, in the order found
        self.carried: dict[int, Carried] = {}      # case id -> what it carries
        self.histories: dict[int, list[ProblemStatusChange]] = {}
        if self.ids:
            self._achievements()
            self._problems()
            self._projects()

    def _carry(self, case_id, object_id, record, qualifier):
        self.records.setdefault(object_id, record)
        self.carried.setdefault(case_id, Carried()).add(object_id, qualifier)

    def _achievements(self):
        for qualifier, column in (("admitted", Achievement.instance_id), ("shares", AccessGrant.instance_id),
                                  ("licenses", LicenceAgreement.instance_id)):
            query = select(column, Achievement).where(column.in_(self.ids))
            if column is not Achievement.instance_id:
                query = query.join(Achievement, Achievement.id == column.class_.achievement_id)
            for case_id, achievement in db.session.execute(query):
                self._carry(case_id, f"achievement:{achievement.number}", achievement, qualifier)

    def _problems(self):
        changes = db.session.execute(
            select(ProblemStatusChange.instance_id, ProblemStatusChange.from_status, QualityProblem)
            .join(QualityProblem, QualityProblem.id == ProblemStatusChange.problem_id)
            .where(ProblemStatusChange.instance_id.in_(self.ids)).order_by(ProblemStatusChange.id)).all()
        for case_id, from_status, problem in changes:
            self._carry(case_id, f"problem:{problem.number}", problem,
                        "reported" if from_status is None else "changed status")
        reviewed = db.session.execute(
            select(ProblemReviewOutcome.instance_id, QualityProblem)
            .join(QualityProblem, QualityProblem.id == ProblemReviewOutcome.problem_id)
            .where(ProblemReviewOutcome.instance_id.in_(self.ids)).order_by(ProblemReviewOutcome.id)).all()
        for case_id, problem in reviewed:
            self._carry(case_id, f"problem:{problem.number}", problem, "reviewed")

    def _projects(self):
        projects = db.session.execute(
            select(BreakthroughProject).where(BreakthroughProject.instance_id.in_(self.ids))
            .options(selectinload(BreakthroughProject.problems)).order_by(BreakthroughProject.id)).scalars().all()
        for project in projects:
            self._carry(project.instance_id, f"project:{project.number}", project, "runs")
            for problem in project.problems:        # the problems it addresses are objects of the log too
                self.records.setdefault(f"problem:{problem.number}", problem)

    def relate(self, case, events, case_id):
        """The case's object, and with a single record each of its events, point to what it carries."""
        carried = self.carried.get(case_id)
        if carried is None:
            return
        for object_id, qualifier in carried.links:
            case.setdefault("relationships", []).append({"objectId": object_id, "qualifier": qualifier})
        for object_id in dict.fromkeys(o for o, qualifier in carried.links if qualifier in _CASE_OF):
            qualifier = object_id.split(":", 1)[0]
            for event in events:
                event["relationships"].append({"objectId": object_id, "qualifier": qualifier})

    def objects(self):
        """The OCEL objects, in the order their records were found."""
        problems = [r for r in self.records.values() if isinstance(r, QualityProblem)]
        if problems:
            for change in db.session.execute(select(ProblemStatusChange).where(
                    ProblemStatusChange.problem_id.in_([p.id for p in problems]))
                    .order_by(ProblemStatusChange.id)).scalars():
                self.histories.setdefault(change.problem_id, []).append(change)
        built = []
        for object_id, record in self.records.items():
            if isinstance(record, Achievement):
                built.append(_achievement(object_id, record))
            elif isinstance(record, QualityProblem):
                built.append(_problem(object_id, record, self.histories.get(record.id, [])))
            else:
                built.append(_project(object_id, record))
        return built


def _achievement(object_id, achievement):
    attributes = [object_attr(name, getattr(achievement, column)) for name, column in (
        ("number", "number"), ("name", "name"), ("kind", "kind"), ("chain", "chain"),
        ("contributor", "contributor_name"))]
    published = achievement.published_at or achievement.created_at
    attributes.append(object_attr("share_level", achievement.share_level, published))
    attributes.append(object_attr("status", achievement.status, achievement.updated_at))
    return {"id": object_id, "type": "achievement", "attributes": attributes}


def _problem(object_id, problem, history):
    """A problem, its status over time from the library's history (each status with its moment)."""
    attributes = [object_attr(name, getattr(problem, name)) for name in ("number", "title", "chain", "category")]
    attributes.append(object_attr("grade", problem.grade or "", problem.updated_at))
    statuses = [object_attr("status", change.to_status, change.at) for change in history]
    attributes += statuses or [object_attr("status", problem.status, problem.updated_at)]
    return {"id": object_id, "type": "problem", "attributes": attributes}


def _project(object_id, project):
    attributes = [object_attr(name, getattr(project, name)) for name in ("number", "name", "chain", "lead_unit_name")]
    attributes.append(object_attr("status", project.status, project.updated_at))
    return {"id": object_id, "type": "project", "attributes": attributes,
            "relationships": [{"objectId": f"problem:{p.number}", "qualifier": "addresses"} for p in project.problems]}
