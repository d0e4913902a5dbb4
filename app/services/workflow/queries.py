"""Read-only queries behind the inbox, done list, my applications and registries.

The inbox reads only `human_task` and `task_candidate`: the first page is an
index range scan on (group_key, task_created_at) or (assignee_id, status,
created_at), never a scan of instances.
"""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select, union

from ... import localtime
from ...domain.districts import DISTRICTS
from ...extensions import db
from ...models import CarbonCopy, Consortium, HumanTask, ProcessInstance, TaskCandidate
from ...models.states import TaskStatus
from ..errors import Forbidden, NotFound
from ..identity.permissions import districts_of, is_global_reader
from ..registries.consortium import may_see_contacts


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


def day_bound(text, end=False):
    """A YYYY-MM-DD filter value as the first (or last) moment of that local day; ValueError if malformed."""
    if not text:
        return None
    day = datetime.strptime(text, "%Y-%m-%d").date()
    return localtime.day_end(day) if end else localtime.day_start(day)


_WHEN = HumanTask.created_at.type


def _urgency():
    return (HumanTask.due_at.is_(None), HumanTask.due_at.asc(), HumanTask.created_at.asc(), HumanTask.id.asc())


@lru_cache(maxsize=512)
def _inbox_statements(scope, n_groups, by_process, by_district, since, until, urgency):
    """(count, page) statements for one query shape; values are bound at execution."""
    row = (HumanTask.id.label("id"), HumanTask.created_at.label("created_at"))

    def filtered(q):
        if by_process:
            q = q.where(HumanTask.process_key == bindparam("process_key"))
        if by_district:
            q = q.where(HumanTask.district == bindparam("district"))
        if since:
            q = q.where(HumanTask.created_at >= bindparam("since", type_=_WHEN))
        if until:
            q = q.where(HumanTask.created_at <= bindparam("until", type_=_WHEN))
        return q

    # One branch per way a task reaches me, each read newest-first from its index
    # (sorted by urgency, a branch is sorted in full: it holds only open tasks).
    branches, offered_to_me = [], []
    if scope != "group":     # assigned to me / claimed by me: ix_task_assignee_open
        branches.append((filtered(select(*row).where(HumanTask.assignee_id == bindparam("user_id"),
                                                     HumanTask.status == TaskStatus.OPEN)),
                         _urgency() if urgency else (HumanTask.created_at.desc(), HumanTask.id.desc())))
    if scope != "mine":      # claimable: ix_candidate_group per group, ix_candidate_user
        offered = filtered(select(*row).join(TaskCandidate, TaskCandidate.task_id == HumanTask.id))
        newest = _urgency() if urgency else (TaskCandidate.task_created_at.desc(), TaskCandidate.task_id.desc())
        keys = [TaskCandidate.group_key == bindparam(f"group_{i}") for i in range(n_groups)]
        keys.append(TaskCandidate.user_id == bindparam("user_id"))
        branches += [(offered.where(key), newest) for key in keys]
        offered_to_me = keys
    if by_process or by_district or since or until:
        count = select(func.count()).select_from(union(*[q for q, _ in branches]).subquery())
    else:                    # index-only counts; assigned and claimable are disjoint
        parts = []
        if scope != "group":
            parts.append(select(func.count()).select_from(HumanTask).where(
                HumanTask.assignee_id == bindparam("user_id"), HumanTask.status == TaskStatus.OPEN)
                .scalar_subquery())
        if scope != "mine":
            parts.append(select(func.count(TaskCandidate.task_id.distinct())).where(or_(*offered_to_me))
                         .scalar_subquery())
        count = select(sum(parts[1:], parts[0]))
    heads = union(*[q.order_by(*order).limit(bindparam("window")).subquery().select()
                    for q, order in branches]).subquery()
    order = _urgency() if urgency else (HumanTask.created_at.desc(), HumanTask.id.desc())
    page = (select(HumanTask).join(heads, heads.c.id == HumanTask.id).order_by(*order)
            .limit(bindparam("per_page")).offset(bindparam("skip")))
    return count, page


def inbox(user, f=None, page=1, per_page=20):
    """Open tasks assigned to me, plus unclaimed tasks offered to my groups or to me.

    Each branch is an index range scan cut at the page window, so the first page
    costs the same however many tasks are open or done.
    """
    f = f or InboxFilter()
    groups = sorted(user.group_keys)
    since, until = day_bound(f.date_from), day_bound(f.date_to, end=True)
    scope = f.scope if f.scope in ("mine", "group") else "all"
    count, items = _inbox_statements(scope, len(groups), bool(f.process_key), bool(f.district),
                                     since is not None, until is not None, f.sort == "urgency")
    params = {"user_id": user.id, "process_key": f.process_key, "district": f.district, "since": since,
              "until": until, "window": page * per_page, "per_page": per_page, "skip": (page - 1) * per_page,
              **{f"group_{i}": g for i, g in enumerate(groups)}}
    total = db.session.execute(count, params).scalar()
    rows = db.session.execute(items, params).scalars().all()
    return Page(rows, total, page, per_page)


def inbox_count(user):
    """How many tasks wait for `user` (the navigation's badge): the inbox's index-only count."""
    groups = sorted(user.group_keys)
    count, _items = _inbox_statements("all", len(groups), False, False, False, False, False)
    return db.session.execute(count, {"user_id": user.id, **{f"group_{i}": g for i, g in enumerate(groups)}}).scalar()


def copied_to(user, instance_ids):
    """Which of these cases were copied (抄送) to `user`: the inbox tags them."""
    ids = list(set(instance_ids))
    if not ids:
        return set()
    return set(db.session.execute(select(CarbonCopy.instance_id).where(
        CarbonCopy.user_id == user.id, CarbonCopy.instance_id.in_(ids))).scalars())


def district_choices(user):
    """The districts to filter the inbox by: a district office's own (nothing to choose with one);
    every district for the others, whose tasks may come from anywhere."""
    own = districts_of(user)
    if own and not is_global_reader(user):
        return sorted(own)
    return list(DISTRICTS)


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
        raise Forbidden(_("Log in first."))
    query = select(Consortium)
    if district:
        query = query.where(Consortium.district == district)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    items = db.session.execute(query.order_by(Consortium.approved_at.desc()).limit(per_page)
                               .offset((page - 1) * per_page)).scalars().all()
    return Page(items, total, page, per_page)


@dataclass(frozen=True)
class ConsortiumPage:
    record: Consortium
    show_contacts: bool      # contact names and phone numbers: personal data, for those who work with them


def consortium(user, consortium_id):
    """Any logged-in user reads a consortium's public part (name, chain, lead unit, members' names);
    its contacts and phone numbers only its own members, its district office, the city office,
    auditors and administrators see."""
    if user is None:
        raise Forbidden(_("Log in first."))
    record = db.session.get(Consortium, consortium_id)
    if record is None:
        raise NotFound(_("Consortium %(id)s does not exist.", id=consortium_id))
    return ConsortiumPage(record, may_see_contacts(db.session, user, record))
