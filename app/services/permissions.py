"""Who may do what. Every service command asks here before it acts.

Roles are groups: `admins`, `auditors`, `city_office` (all districts),
`district_office:<district>` (its district's cases only), `applicants`
(may start applications), `unit_leader:<unit>` (gives the unit's opinion).
"""
from sqlalchemy import select

from ..extensions import db
from ..models import CarbonCopy, HumanTask
from ..models.states import TaskStatus

ADMINS = "admins"
AUDITORS = "auditors"
CITY_OFFICE = "city_office"
DISTRICT_PREFIX = "district_office:"
GLOBAL_READERS = frozenset({ADMINS, AUDITORS, CITY_OFFICE})


def is_admin(user):
    return user is not None and ADMINS in user.group_keys


def is_global_reader(user):
    return user is not None and bool(GLOBAL_READERS & user.group_keys)


def districts_of(user):
    return {g[len(DISTRICT_PREFIX):] for g in user.group_keys if g.startswith(DISTRICT_PREFIX)}


def can_start(user, settings):
    """Process-level `camunda:candidateStarterGroups`; none listed means administrators only."""
    if is_admin(user):
        return True
    return bool(set(settings.starter_groups) & user.group_keys)


def _split(text):
    return [p for p in (text or "").split(",") if p]


def is_candidate(user, task):
    return bool(set(_split(task.candidate_groups)) & user.group_keys) or \
        user.username in _split(task.candidate_users)


def can_act_on_task(user, task):
    if task.status != TaskStatus.OPEN:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return is_candidate(user, task)


def can_see_task(user, task):
    return task.assignee_id == user.id or task.completed_by_id == user.id or \
        is_candidate(user, task) or can_view_instance(user, task.instance)


def can_view_instance(user, instance):
    if is_global_reader(user) or instance.started_by_id == user.id:
        return True
    if instance.district and instance.district in districts_of(user):
        return True
    tasks = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)).scalars()
    if any(t.assignee_id == user.id or t.completed_by_id == user.id or t.owner_id == user.id or
           is_candidate(user, t) for t in tasks):
        return True
    return db.session.execute(select(CarbonCopy.id).where(
        CarbonCopy.instance_id == instance.id, CarbonCopy.user_id == user.id).limit(1)).first() is not None
