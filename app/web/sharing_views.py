"""Directed sharing pages (standard 5.6.2): ask to read a directed achievement, and the requests I
made and those made to my unit. The writes are the service's (registries/achievements/sharing_requests.py)."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.errors import Conflict, Forbidden, ValidationFailed
from ..services.registries.achievements import sharing, sharing_requests
from .auth import login_required

bp = Blueprint("sharing", __name__)

DEFAULT_DAYS = 30


@bp.route("/achievements/<int:achievement_id>/sharing-requests/new", methods=["GET", "POST"])
@login_required
def new_request(achievement_id):
    """The form: purpose and days. A refusal keeps the user here with what they typed and why."""
    values, errors, status = {"purpose": "", "days": str(DEFAULT_DAYS)}, {}, 200
    if request.method == "POST":
        values = {"purpose": request.form.get("purpose", ""), "days": request.form.get("days", "")}
        try:
            sharing_requests.request_sharing(g.user, achievement_id, values["purpose"], values["days"])
        except (ValidationFailed, Conflict, Forbidden) as exc:
            flash(exc.message, "error")
            errors, status = exc.errors, exc.status
        else:
            flash(_("Your request went to the contributor, who answers within 5 working days."))
            return redirect(url_for("sharing.my_requests"))
    achievement, refusal = sharing_requests.request_page(g.user, achievement_id)
    refusal = refusal if status == 200 else ""      # after a refused POST the message is already shown
    return render_template("sharing_request_form.html", achievement=achievement, refusal=refusal, values=values,
                           errors=errors, min_days=sharing.MIN_DAYS, max_days=sharing.MAX_DAYS), status


@bp.route("/my/sharing-requests")
@login_required
def my_requests():
    mine, to_me = sharing_requests.overview(g.user)
    return render_template("sharing_requests.html", mine=mine, to_me=to_me)


@bp.app_template_global()
def sharing_offered(achievement):
    """Whether a page offers the reader to ask for `achievement` (e.g. the achievement's detail page:
    `{% if sharing_offered(a) %}<a href="{{ url_for('sharing.new_request', achievement_id=a.id) }}">…`)."""
    return sharing_requests.may_request(g.get("user"), achievement)


@bp.app_template_global()
def sharing_status_name(value):
    return sharing_requests.status_name(value)
