"""The offices' statistics page and its Excel export: one service call each."""
from flask import Blueprint, Response, g, render_template, request

from ..services.statistics import export
from ..services.statistics.offices import may_see_statistics, office_statistics
from .auth import login_required

bp = Blueprint("statistics", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/statistics")
@login_required
def statistics_page():
    return render_template("statistics.html", stats=office_statistics(g.user, request.args.get("district", "")))


@bp.route("/statistics/export.xlsx")
@login_required
def statistics_export():
    data = export.statistics_workbook(g.user, request.args.get("district", ""))
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": "attachment; filename=statistics.xlsx"})


@bp.app_template_global()
def may_see_office_statistics():
    """Whether the menu offers the statistics page to the reader."""
    return may_see_statistics(g.get("user"))
