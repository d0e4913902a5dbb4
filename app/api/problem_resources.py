"""The quality problem library in the JSON API: read-only (processes write it)."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.errors import ServiceError
from ..services.registries.problems import queries
from . import problem_schemas as s
from .auth import authenticate_request
from .errors import error_response
from .openapi import operation

blp = Blueprint("api_problems", __name__, url_prefix="/api/v1/problems",
                description="The quality problem library (standard 5.4, App. C), as the caller may see it")
blp.before_request(authenticate_request)


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


@blp.route("")
class Problems(MethodView):
    @blp.arguments(s.ProblemQuerySchema, location="query")
    @blp.response(200, s.ProblemPageSchema)
    @operation(blp, "listProblems", 401, 422)
    def get(self, args):
        """List the problems I may see, filtered, sorted and paged"""
        f = queries.ProblemFilter(chain=args["chain"], segment=args["segment"], category=args["category"],
                                  grade=args["grade"], status=args["status"], unit=args["unit"],
                                  date_from=args["date_from"], date_to=args["date_to"], sort=args["sort"])
        page = queries.list_problems(g.user, f, args["page"], args["per_page"])
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/<int:problem_id>")
class ProblemDetail(MethodView):
    @blp.response(200, s.ProblemDetailSchema)
    @operation(blp, "getProblem", 401, described={404: "no such problem, or not one I may see"})
    def get(self, problem_id):
        """Get a problem with its status history, related problems and the report's files"""
        view = queries.problem_detail(g.user, problem_id)
        problem = view.problem
        problem.history, problem.linked, problem.merged_from = view.history, view.linked, view.merged_from
        problem.attachments = view.attachments
        return problem
