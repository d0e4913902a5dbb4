"""Read-only queries behind the inbox, done list, my applications and registries.

The inbox reads only `human_task` and `task_candidate`: the first page is an
index range scan on (group_key, task_created_at) or (assignee_id, status,
created_at), never a scan of instances.
"""
from dataclasses import dataclass
from datetime import datetime, time, timezone

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import Consortium, HumanTask, ProcessInstance, TaskCandidate
from ..models.states import TaskStatus
from .errors import Forbidden, NotFound
from .permissions import districts_of, is_global_reader


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


@dataclass
class InboxFilter:
    process_key: str = ""
    district: str = ""
    date_from: str = ""     # YYYY-MM-DD, on task creation
    date_to: str = ""
    scope: str = "all"      # all | mine (assigned/claimed) | group (claimable)
    sort: str = "newest"    # newest | urgency (due soonest first, then the oldest)


def _day(text, end=False):
    if not text:
        return None
    day = datetime.strptime(text, "%Y-%m-%d").date()
    return datetime.combine(day, time.max if end else time.min, tzinfo=timezone.utc)


def _filtered(query, f):
    if f.process_key:
        query = query.where(HumanTask.process_key == f.process_key)
    if f.district:
        query = query.where(HumanTask.district == f.district)
    if (start := _day(f.date_from)) is not None:
        query = query.where(HumanTask.created_at >= start)
    if (end := _day(f.date_to, end=True)) is not None:
        query = query.where(HumanTask.created_at <= end)
    return query


def inbox(user, f=None, page=1, per_page=20):
    """Open tasks assigned to me, plus unclaimed tasks offered to my groups or to me."""
    f = f or InboxFilter()
    offered = select(TaskCandidate.task_id).where(or_(
        TaskCandidate.group_key.in_(sorted(user.group_keys)) if user.group_keys else False,
        TaskCandidate.user_id == user.id))
    mine = and_(HumanTask.assignee_id == user.id, HumanTask.status == TaskStatus.OPEN)
    claimable = and_(HumanTask.id.in_(offered), HumanTask.assignee_id.is_(None),
                     HumanTask.status == TaskStatus.OPEN)
    condition = {"mine": mine, "group": claimable}.get(f.scope, or_(mine, claimable))
    query = _filtered(select(HumanTask).where(condition), f)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    if f.sort == "urgency":
        order = (HumanTask.due_at.is_(None), HumanTask.due_at.asc(), HumanTask.created_at.asc(), HumanTask.id)
    else:
        order = (HumanTask.created_at.desc(), HumanTask.id.desc())
    items = db.session.execute(query.order_by(*order).limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def done(user, page=1, per_page=20):
    query = select(HumanTask).where(HumanTask.completed_by_id == user.id)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(query.order_by(HumanTask.completed_at.desc()).limit(per_page)
                               .offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def my_instances(user, page=1, per_page=20):
    query = select(ProcessInstance).where(ProcessInstance.started_by_id == user.id)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(query.order_by(ProcessInstance.started_at.desc()).limit(per_page)
                               .offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def visible_instances(user, status="", process_key="", page=1, per_page=20):
    """Cases a reviewer may see: all for the city office and auditors, one district for its office."""
    query = select(ProcessInstance)
    if not is_global_reader(user):
        districts = districts_of(user)
        query = query.where(or_(ProcessInstance.district.in_(sorted(districts)),
                                ProcessInstance.started_by_id == user.id))
    if status:
        query = query.where(ProcessInstance.status == status)
    if process_key:
        query = query.where(ProcessInstance.process_key == process_key)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(query.order_by(ProcessInstance.started_at.desc()).limit(per_page)
                               .offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def tasks_of(instance):
    return db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)
                              .order_by(HumanTask.created_at, HumanTask.id)).scalars().all()


def consortia(user, district="", page=1, per_page=20):
    if user is None:
        raise Forbidden("log in first")
    query = select(Consortium)
    if district:
        query = query.where(Consortium.district == district)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(query.order_by(Consortium.approved_at.desc()).limit(per_page)
                               .offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


def consortium(user, consortium_id):
    if user is None:
        raise Forbidden("log in first")
    record = db.session.get(Consortium, consortium_id)
    if record is None:
        raise NotFound(f"consortium {consortium_id} does not exist")
    return record
