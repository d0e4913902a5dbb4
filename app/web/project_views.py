"""Pages of the breakthrough project library: the list, a project, the Excel export, and the risk
dashboard. Read-only: projects are written by their lifecycle process
(app/services/registries/projects/ on the write side)."""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..domain.chains import CHAINS
from ..models.states import ProjectDirection, ProjectStatus
from ..services.errors import ValidationFailed
from ..services.registries.projects import dashboard, detail, export, labels, queries, requests, visibility
from .auth import login_required
from .formdata import parse_form
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
    return render_template("project.html", view=view, can_request_change=view.team_may_request,
                           can_report_risk=view.team_may_request)


@bp.route("/projects/<int:project_id>/change-requests/new", methods=["GET", "POST"])
@login_required
def change_request(project_id):
    """The lead unit asks for a change: the page is the task book in force, to edit, and why."""
    project, schema, values = requests.change_request_form(g.user, project_id)
    errors = {}
    if request.method == "POST":
        data = parse_form(schema, request.form)
        try:
            requests.submit_change_request(g.user, project_id, data.pop("change_kinds", []),
                                           data.pop("change_reason", ""), data)
        except ValidationFailed as exc:
            flash(exc.message, "error")
            errors, values = exc.errors, data
        else:
            flash(_("The change request went to the managing body."))
            return redirect(url_for("projects.project", project_id=project_id))
    return render_template("project_change_request.html", project=project, schema=schema, values=values,
                           errors=errors), (422 if errors else 200)


@bp.route("/projects/<int:project_id>/risk-reports/new", methods=["GET", "POST"])
@login_required
def risk_report(project_id):
    """The team reports a major risk; the managing body handles it."""
    if request.method == "POST":
        try:
            requests.report_risk(g.user, project_id, request.form.get("risk_description", ""))
        except ValidationFailed as exc:
            flash(" ".join([exc.message] + [m for ms in exc.errors.values() for m in ms]), "error")
        else:
            flash(_("The risk was reported; the managing body will handle it."))
            return redirect(url_for("projects.project", project_id=project_id))
    project, _schema, _values = requests.change_request_form(g.user, project_id)
    return render_template("project_risk_report.html", project=project)


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
