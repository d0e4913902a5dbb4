"""The breakthrough project library in the JSON API: its reads, and the lead unit's change
requests and risk reports (each one command that also messages the project's case)."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.errors import ServiceError
from ..services.registries.projects import dashboard, detail, progress, queries, requests, versions
from . import project_schemas as s
from .auth import authenticate_request
from .errors import error_response
from .openapi import operation

blp = Blueprint("api_projects", __name__, url_prefix="/api/v1",
                description="The breakthrough project library (standard 5.5, App. E, App. F), as the caller may see it")
blp.before_request(authenticate_request)

NOT_VISIBLE = {404: "no such project, or not one I may see"}


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


@blp.route("/projects")
class Projects(MethodView):
    @blp.arguments(s.ProjectQuerySchema, location="query")
    @blp.response(200, s.ProjectPageSchema)
    @operation(blp, "listProjects", 401, 422)
    def get(self, args):
        """List the projects I may see, filtered, sorted and paged"""
        f = queries.ProjectFilter(chain=args["chain"], direction=args["direction"], status=args["status"],
                                  risk=args["risk"], unit=args["unit"], sort=args["sort"])
        page = queries.list_projects(g.user, f, args["page"], args["per_page"])
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/projects/<int:project_id>")
class ProjectDetail(MethodView):
    @blp.response(200, s.ProjectDetailSchema)
    @operation(blp, "getProject", 401, described=NOT_VISIBLE)
    def get(self, project_id):
        """Get a project (App. E) with the task book in force (App. F)"""
        project, book = detail.project_summary(g.user, project_id)
        project.task_book = book
        return project


@blp.route("/projects/<int:project_id>/task-book/versions")
class TaskBookVersions(MethodView):
    @blp.response(200, s.TaskBookVersionSchema(many=True))
    @operation(blp, "listTaskBookVersions", 401, described=NOT_VISIBLE)
    def get(self, project_id):
        """List a project's task book versions, each with the change request that produced it"""
        _project, entries = versions.task_book_versions(g.user, project_id)
        return [{"version": e.book.version, "frozen_at": e.book.frozen_at, "content": e.book.content,
                 "signatures": e.book.signatures or [], "change_request": e.change} for e in entries]


@blp.route("/projects/<int:project_id>/task-book/diff")
class TaskBookDiff(MethodView):
    @blp.arguments(s.DiffQuerySchema, location="query")
    @blp.response(200, s.DiffSchema)
    @operation(blp, "diffTaskBook", 401, 422, described={404: "no such project or version, or not one I may see"})
    def get(self, args, project_id):
        """What changed in a project's task book from one version to another"""
        view = versions.task_book_diff(g.user, project_id, args["from_version"], args["to_version"])
        return {"from_version": view.from_version, "to_version": view.to_version, "changes": view.rows}


@blp.route("/projects/<int:project_id>/reports")
class ProjectReports(MethodView):
    @blp.response(200, s.ReportSchema(many=True))
    @operation(blp, "listProjectReports", 401, described=NOT_VISIBLE)
    def get(self, project_id):
        """List a project's quarterly progress reports, oldest first"""
        return progress.project_reports(g.user, project_id)[1]


@blp.route("/projects/<int:project_id>/alerts")
class ProjectAlerts(MethodView):
    @blp.response(200, s.AlertSchema(many=True))
    @operation(blp, "listProjectAlerts", 401, described=NOT_VISIBLE)
    def get(self, project_id):
        """List a project's risk alerts, open ones first, each with its history"""
        return detail.project_alerts(g.user, project_id)[1]


@blp.route("/risk-alerts")
class RiskAlerts(MethodView):
    @blp.arguments(s.RiskQuerySchema, location="query")
    @blp.response(200, s.RiskDashboardSchema)
    @operation(blp, "getRiskDashboard", 401, 422, described={403: "only the managing body and the city office"})
    def get(self, args):
        """The risk dashboard: open alerts per chain by severity, the open alerts, projects behind schedule"""
        return dashboard.risk_dashboard(g.user, args["chain"])


@blp.route("/projects/<int:project_id>/change-requests")
class ProjectChangeRequests(MethodView):
    @blp.arguments(s.ChangeRequestInSchema)
    @blp.response(201, s.ChangeRefSchema)
    @operation(blp, "requestProjectChange", 401, 403, 404, 409, 422)
    def post(self, args, project_id):
        """The lead unit asks for a change of goal, content, person in charge or period (5.5.4c)"""
        return requests.submit_change_request(g.user, project_id, args["kinds"], args["reason"], args["task_book"])


@blp.route("/projects/<int:project_id>/risk-reports")
class ProjectRiskReports(MethodView):
    @blp.arguments(s.RiskReportInSchema)
    @blp.response(201, s.ProjectRefSchema)
    @operation(blp, "reportProjectRisk", 401, 403, 404, 409, 422)
    def post(self, args, project_id):
        """The project team reports a major risk; the managing body handles it (5.5.4d)"""
        return requests.report_risk(g.user, project_id, args["description"])
