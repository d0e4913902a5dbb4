"""Who may do what. Every service command asks here before it acts.

Roles are groups: `admins`, `auditors`, `city_office` (all districts),
`district_office:<district>` (its district's cases only), `applicants`
(may start applications), `unit_leader:<unit>` (gives the unit's opinion),
`managing_body` (the body appointed to operate the problem, project and
achievement libraries: reads and maintains them; no case rights of its own).
"""
from sqlalchemy import or_, select

from ...extensions import db
from ...models import AccessGrant, Achievement, CarbonCopy, HumanTask, LicenceAgreement
from ...models.states import AchievementStatus, TaskStatus

ADMINS = "admins"
AUDITORS = "auditors"
CITY_OFFICE = "city_office"
MANAGING_BODY = "managing_body"
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


def _delisted_achievement_case(instance_id):
    """Whether the case carries a delisted achievement (its admission, a sharing request, a licence):
    after delisting (5.6.4) only the managing body and auditors read it, besides its participants."""
    carried = or_(Achievement.instance_id == instance_id,
                  Achievement.id.in_(select(AccessGrant.achievement_id).where(AccessGrant.instance_id == instance_id)),
                  Achievement.id.in_(select(LicenceAgreement.achievement_id).where(
                      LicenceAgreement.instance_id == instance_id)))
    return db.session.execute(select(Achievement.id).where(
        Achievement.status == AchievementStatus.DELISTED, carried).limit(1)).first() is not None


def can_view_instance(user, instance):
    if instance.started_by_id == user.id:
        return True
    if is_global_reader(user) and (AUDITORS in user.group_keys or not _delisted_achievement_case(instance.id)):
        return True
    if instance.district and instance.district in districts_of(user):
        return True
    tasks = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)).scalars()
    if any(t.assignee_id == user.id or t.completed_by_id == user.id or t.owner_id == user.id or
           is_candidate(user, t) for t in tasks):
        return True
    return db.session.execute(select(CarbonCopy.id).where(
        CarbonCopy.instance_id == instance.id, CarbonCopy.user_id == user.id).limit(1)).first() is not None


OFFICE_GROUPS = frozenset({CITY_OFFICE, AUDITORS, ADMINS, "experts"})


def may_receive(target, task, actor):
    """Whether a task may be handed (transfer, delegate, add signer) to `target`.

    Never to the case's initiator; otherwise to someone the step already offers it to,
    an approver already on the step, or a colleague of the actor in a group that is
    not the open applicants' group (a unit's leaders, a district office, the city office,
    the experts). Administrators may hand it to anyone but the initiator."""
    if target.id == task.instance.started_by_id:
        return False
    if is_admin(actor) or is_candidate(target, task) or target.username in (task.plan or []):
        return True
    shared = (actor.group_keys & target.group_keys) - {"applicants"}
    return bool(shared)


def may_copy(actor, instance):
    """Who may copy a case (抄送): its initiator, the people who had a task on it, administrators."""
    if is_admin(actor) or instance.started_by_id == actor.id:
        return True
    tasks = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance.id)).scalars()
    return any(t.assignee_id == actor.id or t.completed_by_id == actor.id or t.owner_id == actor.id for t in tasks)


def may_be_copied(target, instance):
    """A copy goes to the initiator's own unit, or to the offices that oversee the case's district."""
    if instance.started_by and target.unit_id and target.unit_id == instance.started_by.unit_id:
        return True
    offices = OFFICE_GROUPS | ({DISTRICT_PREFIX + instance.district} if instance.district else set())
    return bool(offices & target.group_keys)
