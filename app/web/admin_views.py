"""Administrator pages: incidents (failed steps and timers; retry), pending messages (deliver) and the
working-day calendar. A step incident's own page is in operations_views.py."""
from datetime import date

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.errors import Forbidden, ServiceError, ValidationFailed
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
    return render_template("admin/calendar.html", days=calendar.days(), preview=None, import_errors={},
                           import_text="", import_year="", this_year=date.today().year)


MAX_CALENDAR_UPLOAD = 256 * 1024


def _calendar_text():
    """The pasted lines, or the uploaded CSV/text file's (UTF-8, or GB18030 as Chinese spreadsheets save)."""
    upload = request.files.get("file")
    if upload and upload.filename:
        data = upload.read(MAX_CALENDAR_UPLOAD + 1)
        if len(data) > MAX_CALENDAR_UPLOAD:
            raise ValidationFailed(_("The file is too large."), {"file": [_("At most 256 KB.")]})
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("gb18030", errors="replace")
    return request.form.get("text", "")


def _import_year():
    text = request.form.get("year", "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and 1900 <= int(text) <= 2999):
        raise ValidationFailed(_("Not a year."), {"year": [_("Write the year as four digits.")]})
    return int(text)


@bp.route("/calendar/import", methods=["POST"])
@login_required
def calendar_import():
    """Preview a pasted or uploaded list of holidays, or import it (all lines or none)."""
    entries, errors, text, status = [], {}, "", 200
    try:
        text, year = _calendar_text(), _import_year()
        if request.form.get("_action") == "import":
            added, changed = calendar.import_holidays(g.user, text, year)
            flash(_("%(added)d date(s) added, %(changed)d changed.", added=len(added), changed=len(changed)))
            return redirect(url_for("admin.calendar_page"))
        entries, errors = calendar.parse_holidays(text, year)
    except ValidationFailed as exc:
        errors, status = exc.errors, exc.status
        entries = calendar.parse_holidays(text)[0] if text else []
    line_errors = sorted((int(key.split(".")[1]), message) for key, messages in errors.items()
                         if key.startswith("lines.") for message in messages)
    return render_template("admin/calendar.html", days=calendar.days(), preview=entries, import_errors=errors,
                           line_errors=line_errors, import_text=text, import_year=request.form.get("year", ""),
                           this_year=date.today().year), status
