"""Pages of the breakthrough project library: the list, a project, the Excel export, and the risk
dashboard. Read-only: projects are written by their lifecycle process
(app/services/registries/projects/ on the write side)."""
from flask import Blueprint, Response, g, render_template, request

from ..domain.chains import CHAINS
from ..models.states import ProjectDirection, ProjectStatus
from ..services.registries.projects import dashboard, detail, export, labels, queries, visibility
from .auth import login_required
from .params import page_number, version_number

bp = Blueprint("projects", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/projects")
@login_required
def project_list():
    f = queries.ProjectFilter.from_args(request.args)
    page = queries.list_projects(g.user, f, page_number())
    return render_template("projects.html", page=page, f=f, chains=CHAINS, directions=ProjectDirection.ALL,
                           statuses=ProjectStatus.ALL, risks=queries.RISKS)


@bp.route("/projects/<int:project_id>")
@login_required
def project(project_id):
    view = detail.project_detail(g.user, project_id, version_number("from"), version_number("to"))
    # The change request and risk report commands belong to the lifecycle (write side), not built
    # yet: the buttons appear once their routes exist, so nothing is offered that does not work.
    return render_template("project.html", view=view, can_request_change=False, can_report_risk=False)


@bp.route("/projects/export.xlsx")
@login_required
def project_export():
    data = export.projects_workbook(g.user, queries.ProjectFilter.from_args(request.args))
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=breakthrough-projects.xlsx"})


@bp.route("/projects/risks")
@login_required
def risk_dashboard():
    board = dashboard.risk_dashboard(g.user, (request.args.get("chain") or "").strip())
    return render_template("project_risks.html", board=board, chains=CHAINS)


@bp.app_template_global()
def may_see_risks():
    """Whether the menu offers the risk dashboard to the reader."""
    return visibility.may_see_risk_dashboard(g.get("user"))


@bp.app_template_global()
def project_labels():
    """The library's value names, for the templates (`project_labels().status_name(...)`)."""
    return labels
