"""A project's task book versions as a reader sees them: the version in force, the history (each
version with the change request that produced it) and the difference between any two versions
(app.domain.task_book.diff), laid out for a page: fields, and table rows cell by cell."""
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ....domain import task_book
from ....extensions import db
from ....models import ChangeRequest, TaskBookVersion
from ...errors import NotFound
from .queries import visible_project


@dataclass
class VersionEntry:
    book: TaskBookVersion
    change: ChangeRequest | None      # None for version 1 (the signed one)


@dataclass
class DiffRow:
    """One change: a field (`table` empty) or a table row (`key` its key or position); `cells`
    holds a row's columns as (column, before, after, changed)."""
    path: str
    kind: str                          # added | removed | changed
    table: str
    key: str
    before: Any = None
    after: Any = None
    cells: list = field(default_factory=list)


@dataclass
class DiffView:
    from_version: int
    to_version: int
    rows: list


def versions_of(project):
    """Every frozen task book of a project (one `visible_project` gave) with the change request that
    produced it, oldest first."""
    books = db.session.execute(select(TaskBookVersion).where(TaskBookVersion.project_id == project.id)
                               .order_by(TaskBookVersion.version)).scalars().all()
    ids = [b.change_request_id for b in books if b.change_request_id]
    changes = {c.id: c for c in db.session.execute(
        select(ChangeRequest).where(ChangeRequest.id.in_(ids))).scalars()} if ids else {}
    return [VersionEntry(b, changes.get(b.change_request_id)) for b in books]


def in_force(entries, project):
    """The task book version the project is run by (None before version 1 is frozen)."""
    return next((e.book for e in entries if e.book.version == project.task_book_version), None)


def task_book_versions(user, project_id):
    """(project, its versions with their change requests), if `user` may see the project."""
    project = visible_project(user, project_id)
    return project, versions_of(project)


def _cells(table, before, after):
    columns = task_book.TABLES[table]
    before, after = before or {}, after or {}
    return [(c, before.get(c, ""), after.get(c, ""), before.get(c, "") != after.get(c, "")) for c in columns]


def diff_rows(old, new):
    rows = []
    for change in task_book.diff(old, new):
        table, _dot, key = change.path.partition(".")
        if key:
            rows.append(DiffRow(change.path, change.kind, table, key, change.before, change.after,
                                _cells(table, change.before, change.after)))
        else:
            rows.append(DiffRow(change.path, change.kind, "", table, change.before, change.after))
    return rows


def default_pair(entries):
    """The versions a page compares when none are asked for: the one before the last, and the last."""
    if len(entries) < 2:
        return None
    return entries[-2].book.version, entries[-1].book.version


def diff_between(entries, from_version, to_version):
    books = {e.book.version: e.book for e in entries}
    for number in (from_version, to_version):
        if number not in books:
            raise NotFound(_("Task book version %(n)s does not exist.", n=number))
    return DiffView(from_version, to_version, diff_rows(books[from_version].content, books[to_version].content))


def task_book_diff(user, project_id, from_version, to_version):
    """What changed in the task book from one version to another, if `user` may see the project."""
    project = visible_project(user, project_id)
    return diff_between(versions_of(project), from_version, to_version)
