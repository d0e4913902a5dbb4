"""Approver actions as form posts (transfer, delegate, signers, urge, CC), the initiator's
withdraw (撤回) and cancel (撤销), and the bell and CC inbox pages. Each parses input, calls one
service, redirects."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..services.notify import notifications
from ..services.operations import cancellation
from ..services.workflow.approval import case_actions, handover, signers
from .auth import login_required
from .filters import person_names

bp = Blueprint("actions", __name__)


def _back_to_task(task_id):
    return redirect(url_for("views.task", task_id=task_id))


def _run(action, success, target, refused=None):
    """Run one service command; flash what happened. A refusal keeps the user where they were
    (`refused`, by default `target`), with the message."""
    try:
        result = action()
        flash(success(result) if callable(success) else success)
    except (ValidationFailed, Conflict, Forbidden, NotFound) as exc:
        messages = [m for ms in getattr(exc, "errors", {}).values() for m in ms]
        flash(" ".join([exc.message] + messages), "error")
        return refused or target
    return target


@bp.route("/tasks/<int:task_id>/transfer", methods=["POST"])
@login_required
def transfer(task_id):
    user = request.form.get("user", "").strip()
    return _run(lambda: handover.transfer(g.user, task_id, user, request.form.get("note", "")),
                lambda _task: _("Transferred to %(user)s.", user=person_names(user)),
                redirect(url_for("views.inbox")), _back_to_task(task_id))


@bp.route("/tasks/<int:task_id>/delegate", methods=["POST"])
@login_required
def delegate(task_id):
    user = request.form.get("user", "").strip()
    return _run(lambda: handover.delegate(g.user, task_id, user, request.form.get("note", "")),
                lambda _task: _("Delegated to %(user)s; it comes back to you to finish.", user=person_names(user)),
                _back_to_task(task_id))


@bp.route("/tasks/<int:task_id>/resolve", methods=["POST"])
@login_required
def resolve(task_id):
    return _run(lambda: handover.resolve_delegation(g.user, task_id, request.form.get("opinion", "")),
                _("Handed back to the owner."), redirect(url_for("views.inbox")), _back_to_task(task_id))


@bp.route("/tasks/<int:task_id>/return-to", methods=["POST"])
@login_required
def return_to(task_id):
    step = request.form.get("step", "")
    return _run(lambda: case_actions.return_to(g.user, task_id, step, request.form.get("opinion", "")),
                _("Sent back to the chosen step."), redirect(url_for("views.inbox")), _back_to_task(task_id))


@bp.route("/tasks/<int:task_id>/signers", methods=["POST"])
@login_required
def add_signer(task_id):
    user = request.form.get("user", "").strip()
    return _run(lambda: signers.add_signer(g.user, task_id, user, request.form.get("position", "after"),
                                                request.form.get("reason", "")),
                lambda _task: _("%(user)s added as a signer.", user=person_names(user)), _back_to_task(task_id))


@bp.route("/tasks/<int:task_id>/signers/remove", methods=["POST"])
@login_required
def remove_signer(task_id):
    user = request.form.get("user", "").strip()
    return _run(lambda: signers.remove_signer(g.user, task_id, user, request.form.get("reason", "")),
                lambda _task: _("%(user)s removed from the signers.", user=person_names(user)), _back_to_task(task_id))


@bp.route("/instances/<int:instance_id>/urge", methods=["POST"])
@login_required
def urge(instance_id):
    return _run(lambda: case_actions.urge(g.user, instance_id, request.form.get("note", "")),
                _("The approvers have been reminded."), redirect(url_for("views.instance", instance_id=instance_id)))


@bp.route("/instances/<int:instance_id>/take-back/<kind>", methods=["POST"])
@login_required
def take_back(instance_id, kind):
    if kind not in ("withdraw", "reclaim"):
        return redirect(url_for("views.instance", instance_id=instance_id))
    message = _("Withdrawn: the case is back with you.") if kind == "withdraw" \
        else _("Taken back: the step is yours again.")
    return _run(lambda: case_actions.take_back(g.user, instance_id, kind), message,
                redirect(url_for("views.instance", instance_id=instance_id)))


@bp.route("/instances/<int:instance_id>/cancel", methods=["POST"])
@login_required
def cancel(instance_id):
    """撤销: the initiator cancels the application with a reason; a refusal keeps them on the case page."""
    return _run(lambda: cancellation.cancel_own_case(g.user, instance_id, request.form.get("reason", "")),
                _("Your application is cancelled."), redirect(url_for("views.instance", instance_id=instance_id)))


@bp.app_template_global()
def cancel_offered(instance):
    """Whether the case page offers the reader 撤销 (the initiator of a running, undecided case)."""
    return cancellation.may_cancel(g.get("user"), instance)


@bp.route("/instances/<int:instance_id>/cc", methods=["POST"])
@login_required
def carbon_copy(instance_id):
    """抄送: the people chosen with the picker (`user`, one each) and any typed by hand (`users`,
    comma-separated). Back to the page it was sent from; a refusal keeps the people chosen."""
    typed = request.form.get("users", "").replace("，", ",").split(",")
    users = list(dict.fromkeys(u.strip() for u in request.form.getlist("user") + typed if u.strip()))
    task_id = request.form.get("task", type=int)

    def back(**chosen):
        if task_id:
            return redirect(url_for("views.task", task_id=task_id, **chosen))
        return redirect(url_for("views.instance", instance_id=instance_id, **chosen))
    return _run(lambda: case_actions.carbon_copy(g.user, instance_id, users, request.form.get("note", "")),
                lambda _count: _("Copied to %(users)s.", users=person_names(users)), back(), back(cc=users))


@bp.route("/cc")
@login_required
def cc_inbox():
    return render_template("cc_inbox.html", items=case_actions.cc_inbox(g.user))


@bp.route("/cc/<int:cc_id>")
@login_required
def open_cc(cc_id):
    item = case_actions.read_cc(g.user, cc_id)
    return redirect(url_for("views.instance", instance_id=item.instance_id))


@bp.route("/notifications")
@login_required
def notification_list():
    return render_template("notifications.html", items=notifications.latest(g.user))


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id):
    item = notifications.mark_read(g.user, notification_id)
    if item.task_id:
        return redirect(url_for("views.task", task_id=item.task_id))
    if item.instance_id:
        return redirect(url_for("views.instance", instance_id=item.instance_id))
    return redirect(url_for("actions.notification_list"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    notifications.mark_read(g.user)
    return redirect(url_for("actions.notification_list"))
