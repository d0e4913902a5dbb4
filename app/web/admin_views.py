"""Administrator pages: incidents (failed steps and timers; retry), pending messages (deliver) and the
working-day calendar. A step incident's own page is in operations_views.py."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.errors import Forbidden, ServiceError
from ..services.identity.permissions import is_admin
from ..services.operations import incidents as incidents_of_cases
from ..services.workflow import calendar, messages, timer_firing
from .auth import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def administrators_only():
    if g.get("user") is not None and not is_admin(g.user):
        raise Forbidden(_("Administrators only."))


@bp.route("/incidents")
@login_required
def incidents():
    return render_template("admin/incidents.html", found=incidents_of_cases.list_incidents(g.user))


@bp.route("/incidents/<int:job_id>/retry", methods=["POST"])
@login_required
def retry(job_id):
    timer_firing.retry_incident(g.user, job_id)
    flash(_("The timer will run again now."))
    return redirect(url_for("admin.incidents"))


@bp.route("/messages")
@login_required
def pending_messages():
    return render_template("admin/pending_messages.html", items=messages.pending_messages(g.user))


@bp.route("/messages/deliver", methods=["POST"])
@login_required
def deliver_pending():
    delivered = messages.retry_pending(g.user)
    flash(_("%(n)d pending message(s) delivered.", n=len(delivered)))
    return redirect(url_for("admin.pending_messages"))


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar_page():
    if request.method == "POST":
        try:
            if request.form.get("_action") == "remove":
                calendar.remove_day(g.user, request.form.get("day", ""))
            else:
                calendar.set_day(g.user, request.form.get("day", ""), request.form.get("name", ""),
                                 request.form.get("working") == "1")
            flash(_("Calendar saved."))
        except ServiceError as exc:
            flash(exc.message, "error")
        return redirect(url_for("admin.calendar_page"))
    return render_template("admin/calendar.html", days=calendar.days())
