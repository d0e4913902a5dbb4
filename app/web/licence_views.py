"""Pages of licence agreements (App. H): the apply form of an achievement, a licence's page with its
terms, parties, confirmations, revenue and history, its printable agreement, a party's confirmation,
revenue entries, and "my licences". Each view makes one service call
(app/services/registries/achievements/licence_*.py)."""
from datetime import datetime, timezone

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..services.errors import Conflict, ValidationFailed
from ..services.registries.achievements import licence_queries, licence_requests
from .auth import login_required
from .formdata import parse_form

bp = Blueprint("licences", __name__)


def _now():
    return datetime.now(timezone.utc)


@bp.route("/achievements/<int:achievement_id>/licences/new", methods=["GET", "POST"])
@login_required
def apply(achievement_id):
    """A logged-in user who sees a paid achievement's card applies for a licence on App. H terms."""
    achievement, schema = licence_queries.new_licence_form(g.user, achievement_id, _now())
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = parse_form(schema, request.form)
        try:
            licence = licence_requests.apply_for_licence(g.user, achievement_id, values)
        except ValidationFailed as exc:
            flash(exc.message, "error")
            errors, status = exc.errors, 422
        except Conflict as exc:
            flash(exc.message, "error")
            errors, status = exc.errors, 409
        else:
            flash(_("The application went to the contributor."))
            return redirect(url_for("licences.licence", licence_id=licence.id))
    return render_template("licence_new.html", achievement=achievement, schema=schema, values=values,
                           errors=errors), status


@bp.route("/licences/<int:licence_id>")
@login_required
def licence(licence_id):
    return render_template("licence.html", view=licence_queries.licence_detail(g.user, licence_id))


@bp.route("/licences/<int:licence_id>/print")
@login_required
def licence_print(licence_id):
    """The agreement in the App. H layout for paper or PDF (the browser's print to PDF, as the case's
    approval sheet), with the parties' confirmations."""
    return render_template("licence_print.html", view=licence_queries.licence_detail(g.user, licence_id),
                           printed_at=_now())


@bp.route("/licences/<int:licence_id>/confirm", methods=["POST"])
@login_required
def confirm(licence_id):
    """A party confirms the text it was shown (its SHA-256 travels with the form)."""
    try:
        licence_requests.confirm_licence(g.user, licence_id, request.form.get("agreement_sha256", ""))
    except (Conflict, ValidationFailed) as exc:
        flash(exc.message, "error")
    else:
        flash(_("Your confirmation of the agreement was recorded."))
    return redirect(url_for("licences.licence", licence_id=licence_id))


@bp.route("/licences/<int:licence_id>/revenue", methods=["POST"])
@login_required
def revenue(licence_id):
    try:
        licence_requests.record_revenue(g.user, licence_id, request.form.get("received_on", ""),
                                        request.form.get("amount", ""), request.form.get("note", ""))
    except (Conflict, ValidationFailed) as exc:
        flash(" ".join([exc.message] + [m for ms in exc.errors.values() for m in ms]), "error")
    else:
        flash(_("The revenue entry was recorded."))
    return redirect(url_for("licences.licence", licence_id=licence_id))


@bp.route("/my/licences")
@login_required
def my_licences():
    as_licensee, as_licensor = licence_queries.my_licences(g.user)
    return render_template("licences_mine.html", as_licensee=as_licensee, as_licensor=as_licensor)
