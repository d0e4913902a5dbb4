"""Pages of the achievement sharing library: the catalogue, the public page for anonymous visitors,
an achievement (App. G layout), its proof files, the Excel export, and the two requests that move an
admission case (apply directly, ask for a delisting review). Reads go through the library's one
access rule (app/services/registries/achievements/access.py)."""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..domain.chains import CHAINS
from ..extensions import db
from ..models.identity import utcnow
from ..models.states import AchievementKind, AchievementStatus, ShareLevel
from ..services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..services.registries.achievements import detail, export, labels, queries, requests
from ..services.registries.consortium import consortia_of
from .auth import login_required
from .params import page_number

bp = Blueprint("achievements", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choices():
    return {"kinds": AchievementKind.ALL, "chains": CHAINS, "levels": ShareLevel.ALL,
            "statuses": AchievementStatus.ALL}


@bp.route("/achievements")
@login_required
def achievement_list():
    f = queries.AchievementFilter.from_args(request.args)
    page = queries.list_achievements(g.user, utcnow(), f, page_number())
    return render_template("achievements.html", page=page, f=f, public=False,
                           may_apply=bool(consortia_of(db.session, g.user)), **_choices())


@bp.route("/achievements/public")
def public_list():
    """Open to anybody: the fully public achievements."""
    f = queries.AchievementFilter.from_args(request.args)
    page = queries.public_achievements(utcnow(), f, page_number())
    return render_template("achievements.html", page=page, f=f, public=True, may_apply=False, **_choices())


@bp.route("/achievements/<int:achievement_id>")
def achievement(achievement_id):
    """Open to anybody for a public achievement; anyone else is asked to log in first."""
    try:
        view = detail.achievement_detail(g.user, utcnow(), achievement_id)
    except NotFound:
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))
        raise
    return render_template("achievement.html", view=view)


@bp.route("/achievements/<int:achievement_id>/files/<token>")
def proof_file(achievement_id, token):
    row, content = detail.open_proof(g.user, utcnow(), achievement_id, token)
    return send_file(content, mimetype=row.content_type, as_attachment=True, download_name=row.filename)


@bp.route("/achievements/export.xlsx")
@login_required
def achievement_export():
    data = export.achievements_workbook(g.user, utcnow(), queries.AchievementFilter.from_args(request.args))
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": "attachment; filename=achievements.xlsx"})


@bp.route("/achievements/apply", methods=["POST"])
@login_required
def apply():
    try:
        task_id = requests.apply_directly(g.user)
    except (Forbidden, Conflict) as exc:
        flash(exc.message, "error")
        return redirect(url_for("achievements.achievement_list"))
    flash(_("Your admission application is open: fill in the form and submit it."), "info")
    return redirect(url_for("views.task", task_id=task_id))


@bp.route("/achievements/<int:achievement_id>/delisting", methods=["POST"])
@login_required
def request_delisting(achievement_id):
    try:
        requests.request_delisting(g.user, achievement_id, request.form.get("reason", ""))
    except (ValidationFailed, Conflict, Forbidden) as exc:
        flash(exc.message, "error")
    else:
        flash(_("The delisting review is in the managing body's inbox."), "info")
    return redirect(url_for("achievements.achievement", achievement_id=achievement_id))


@bp.app_template_global()
def achievement_labels():
    """The library's value names, for the templates (`achievement_labels().level_name(...)`)."""
    return labels
