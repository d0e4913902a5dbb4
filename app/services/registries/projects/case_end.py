"""The project library when a lifecycle case ends before its end event (the hooks in
workflow/handlers.py): an administrator terminated it, or its initiator cancelled (撤销) it.

The case is the project's life: its reports, checks and acceptance are the case's steps, so a
project cannot outlive it. `close`, inside the ending command, ends the project with it:
- a proposal not yet decided is **withdrawn**;
- an approved project (task book, executing, acceptance) is **terminated** (ProjectStatus), its
  problems still in breakthrough go back to analysis (as after a failed acceptance), its open risk
  alerts close, and a change request waiting for the managing body is withdrawn.

`refusal`: the lead unit may withdraw a proposal, not an approved project (an administrator ends
that by terminating the case).
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ....models import BreakthroughProject
from ....models.states import ProblemStatus, ProjectStatus
from ..problems import commands as problems
from . import alerts, changes, records


def _project(session, instance):
    return session.execute(select(BreakthroughProject).where(
        BreakthroughProject.instance_id == instance.id)).scalar_one_or_none()


def refusal(session, instance):
    """Why the initiator may not cancel `instance` because of its project (a message), or None."""
    project = _project(session, instance)
    if project is not None and project.status != ProjectStatus.PROPOSED:
        return _("Project %(number)s has been approved; the proposal can no longer be cancelled.",
                 number=project.number)
    return None


def close(ctx, instance, reason):
    """Withdraw the proposal, or terminate the approved project (inside the command that ends the case)."""
    project = _project(ctx.session, instance)
    if project is None:
        return
    if project.status == ProjectStatus.PROPOSED:
        records.move(ctx, project, ProjectStatus.WITHDRAWN, instance, reason)
    elif project.status in ProjectStatus.UNDER_WAY:
        records.move(ctx, project, ProjectStatus.TERMINATED, instance, reason)
        why = _("Project %(number)s terminated: %(reason)s", number=project.number, reason=reason)
        for problem in project.problems:
            if problem.status == ProblemStatus.IN_BREAKTHROUGH:
                problems.set_problem_status(ctx, problem.id, ProblemStatus.ANALYSING, instance=instance, reason=why)
        alerts.close_all(ctx, project, why, instance)
        changes.withdraw_pending(ctx, project, why, instance)
