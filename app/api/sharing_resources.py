"""Directed sharing in the JSON API (standard 5.6.2): the requests I made or that were made to my
unit, and a new request (one command: the request is recorded and the contributor's step opened)."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.errors import ServiceError
from ..services.registries.achievements import sharing_requests
from . import sharing_schemas as s
from .auth import authenticate_request
from .errors import error_response
from .openapi import operation

blp = Blueprint("api_sharing", __name__, url_prefix="/api/v1",
                description="Directed sharing of achievements (standard 5.6.2): requests and their grants")
blp.before_request(authenticate_request)


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


@blp.route("/sharing-requests")
class SharingRequests(MethodView):
    @blp.arguments(s.SharingQuerySchema, location="query")
    @blp.response(200, s.SharingRequestSchema(many=True))
    @operation(blp, "listSharingRequests", 401, 422)
    def get(self, args):
        """List my directed sharing requests (or, role=contributor, those for my unit's achievements), newest first"""
        if args["role"] == "contributor":
            return sharing_requests.requests_to_me(g.user)
        return sharing_requests.my_requests(g.user)


@blp.route("/achievements/<int:achievement_id>/sharing-requests")
class AchievementSharingRequests(MethodView):
    @blp.arguments(s.SharingRequestInSchema)
    @blp.response(201, s.SharingRequestRefSchema)
    @operation(blp, "requestSharing", 401, 422, described={
        403: "the contributor's side may not ask for its own achievement",
        404: "no such achievement, or not one whose card I may see",
        409: "not a published directed achievement (public, consortium-internal and paid ones are not asked "
             "for), I may read it already, or I have a request for it that is open or in force"})
    def post(self, args, achievement_id):
        """Ask the contributor to share a directed achievement with me for a number of days"""
        return sharing_requests.request_sharing(g.user, achievement_id, args["purpose"], args["days"])
