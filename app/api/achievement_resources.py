"""The achievement sharing library in the JSON API: the catalogue and an achievement as the caller
may see them (anonymous callers: the public ones), a member's direct application, and the managing
body's request for a delisting review. One access rule decides every answer
(app/services/registries/achievements/access.py)."""
from flask import g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from ..models.identity import utcnow
from ..services.errors import ServiceError
from ..services.registries.achievements import detail, queries, requests
from . import achievement_schemas as s
from .auth import authenticate_if_any, authenticate_request
from .errors import error_response
from .openapi import operation

DESCRIPTION = "The achievement sharing library (standard 5.6, App. G), as the caller may read it"
blp = Blueprint("api_achievements", __name__, url_prefix="/api/v1", description=DESCRIPTION)
blp.before_request(authenticate_if_any)
NOT_VISIBLE = {404: "no such achievement, or not one I may see"}


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


def _filter(args):
    return queries.AchievementFilter(**{name: args[name] for name in ("kind", "chain", "share_level", "status",
                                                                       "q", "sort")})


def _page(page):
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/achievements")
class Achievements(MethodView):
    @blp.arguments(s.AchievementQuerySchema, location="query")
    @blp.response(200, s.AchievementPageSchema)
    @operation(blp, "listAchievements", 401, 422, anonymous=True)
    def get(self, args):
        """List the achievements I may see (anonymous: the public ones), filtered, searched, sorted and paged"""
        if g.user is None:
            return _page(queries.public_achievements(utcnow(), _filter(args), args["page"], args["per_page"]))
        return _page(queries.list_achievements(g.user, utcnow(), _filter(args), args["page"], args["per_page"]))


def _dump(view):
    achievement = view.achievement
    found = {name: getattr(achievement, name) for name in s.AchievementCardSchema().fields}
    if view.readable:
        for name in s.AchievementSchema().fields:
            if name not in found and hasattr(achievement, name):
                found[name] = getattr(achievement, name)
        found["problem_number"] = view.problem.number if view.problem is not None else None
        found["project_number"] = view.project.number if view.project is not None else None
        found["proofs"] = [{"filename": f.filename, "size": f.size, "url": url_for(
            "achievements.proof_file", achievement_id=achievement.id, token=f.token)} for f in view.proofs]
    return found


@blp.route("/achievements/<int:achievement_id>")
class AchievementDetail(MethodView):
    @blp.response(200, s.AchievementSchema)
    @operation(blp, "getAchievement", 401, described=NOT_VISIBLE, anonymous=True)
    def get(self, achievement_id):
        """Get an achievement: all of it if I may read it, else its card"""
        return _dump(detail.achievement_detail(g.user, utcnow(), achievement_id))


@blp.route("/achievements/applications")
class Applications(MethodView):
    @blp.response(201, s.AppliedSchema)
    @operation(blp, "applyForAdmission", 401, 403)
    def post(self):
        """Contribute an achievement: opens an admission case whose first step (the App. G form) is mine"""
        authenticate_request()
        return {"task_id": requests.apply_directly(g.user)}


@blp.route("/achievements/<int:achievement_id>/delisting-requests")
class DelistingRequests(MethodView):
    @blp.arguments(s.DelistingSchema)
    @blp.response(202, s.AchievementCardSchema)
    @operation(blp, "requestDelistingReview", 401, 403, 409, 422, described=NOT_VISIBLE)
    def post(self, args, achievement_id):
        """Ask for a delisting review of a published achievement (the managing body)"""
        authenticate_request()
        achievement = requests.request_delisting(g.user, achievement_id, args["reason"])
        achievement.readable = True
        return achievement
