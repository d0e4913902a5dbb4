"""What every project command shares: who may write, loading a project, its audit events and its
status moves.

Who may write (checked first, in every command):
- a process step (`instance` given): the deployed diagram decided that this step writes the
  library (deploy accepts only whitelisted service-task topics), and the step's own command
  checked the person who completed it;
- the system (no actor: timers, start-up, CLI);
- the managing body and the city office, directly;
- for the team's own requests (a change request, a risk report, an acceptance application): the
  users of the project's lead unit (`check_team`).
Anyone else, administrators included, is refused.

Events (`project_*`) go to the project's case chain when a process step or a timer of that case
acts (it holds the case's row lock), after the event of the decision that set the step off; to the
system chain otherwise. A status change is the event `project_status_changed` (from, to, reason):
the audit trail is the project's status history.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ....models import BreakthroughProject, Unit, User
from ....models.states import ProjectStatus
from ...audit import trail
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...identity.permissions import CITY_OFFICE, MANAGING_BODY

WRITERS = frozenset({MANAGING_BODY, CITY_OFFICE})
MAX_ID = 2**63 - 1


class IllegalProjectTransition(Conflict):
    """The status change is not one the lifecycle allows (409, naming both statuses)."""


def check_writer(ctx, instance=None):
    if instance is not None or ctx.actor is None or WRITERS & ctx.actor.group_keys:
        return
    raise Forbidden(_("Only the managing body, the city office or a process may change the project library."))


def in_lead_unit(user, consortium):
    """Whether `user` works for the consortium's lead unit (matched by unified social credit code)."""
    code = user.unit.credit_code if user is not None and user.unit is not None else None
    return bool(code) and code == consortium.lead_unit_credit_code


def check_team(ctx, project, instance=None):
    """The team's own requests: the lead unit's users, besides the writers of check_writer."""
    if instance is not None or ctx.actor is None or WRITERS & ctx.actor.group_keys:
        return
    if in_lead_unit(ctx.actor, project.consortium):
        return
    raise Forbidden(_("Only the project's lead unit may do this."))


def load(ctx, project_id, field="project_id"):
    if not isinstance(project_id, int) or isinstance(project_id, bool) or not 0 < project_id <= MAX_ID:
        raise ValidationFailed(_("No such project."), {field: [_("Expected a project id.")]})
    project = ctx.session.get(BreakthroughProject, project_id)
    if project is None:
        raise NotFound(_("Project %(id)s does not exist.", id=project_id))
    return project


def of_instance(ctx, instance):
    """The project a lifecycle case carries (NotFound before its proposal was registered)."""
    project = ctx.session.execute(select(BreakthroughProject).where(
        BreakthroughProject.instance_id == instance.id)).scalar_one_or_none()
    if project is None:
        raise NotFound(_("The case carries no project yet."))
    return project


def record(ctx, event_type, project, instance=None, **data):
    trail.record_library_event(ctx, event_type, instance,
                               {"project_id": project.id, "project_number": project.number, **data})


def move(ctx, project, new, instance=None, reason=""):
    """Change the project's status if the lifecycle allows it (else 409), with its audit event."""
    old = project.status
    if new not in ProjectStatus.TRANSITIONS.get(old, set()):
        raise IllegalProjectTransition(_("Project %(number)s cannot go from %(old)s to %(new)s.",
                                         number=project.number, old=old, new=new))
    project.status = new
    project.updated_at = ctx.now
    record(ctx, "project_status_changed", project, instance, **{"from": old, "to": new, "reason": reason or ""})
    return old


def require_status(project, *statuses):
    if project.status not in statuses:
        raise Conflict(_("Project %(number)s is %(status)s; this needs it to be %(needed)s.",
                         number=project.number, status=project.status, needed=", ".join(statuses)))


def lead_unit_user_ids(ctx, project):
    """The active users of the project's lead unit (they hear of its alerts)."""
    code = project.consortium.lead_unit_credit_code
    if not code:
        return []
    return list(ctx.session.execute(select(User.id).join(Unit, User.unit_id == Unit.id).where(
        Unit.credit_code == code, User.active.is_(True)).order_by(User.id)).scalars())


def user_by_name(ctx, username):
    return ctx.session.execute(select(User).where(User.username == str(username or ""))).scalar_one_or_none()
