"""Pages of the quality problem library: the list, a problem, the Excel export. Read-only:
problems are written by processes (app/services/registries/problems/commands.py)."""
from flask import Blueprint, Response, g, render_template, request

from ..domain.chains import CHAINS, SEGMENTS
from ..domain.severity import GRADES
from ..models.states import ProblemCategory, ProblemStatus
from ..services.registries.problems import export, labels, queries
from .auth import login_required
from .params import page_number

bp = Blueprint("problems", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/problems")
@login_required
def problem_list():
    f = queries.ProblemFilter.from_args(request.args)
    page = queries.list_problems(g.user, f, page_number())
    return render_template("problems.html", page=page, f=f, chains=CHAINS, segments=SEGMENTS, grades=GRADES,
                           categories=ProblemCategory.ALL, statuses=ProblemStatus.ALL)


@bp.route("/problems/<int:problem_id>")
@login_required
def problem(problem_id):
    return render_template("problem.html", view=queries.problem_detail(g.user, problem_id))


@bp.route("/problems/export.xlsx")
@login_required
def problem_export():
    data = export.problems_workbook(g.user, queries.ProblemFilter.from_args(request.args))
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=quality-problems.xlsx"})


@bp.app_template_global()
def problem_labels():
    """The library's value names, for the templates (`problem_labels().grade_name(...)`)."""
    return labels
