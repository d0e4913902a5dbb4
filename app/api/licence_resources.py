"""Licence agreements (App. H) in the JSON API: mine, one, and applying for one (which starts the
licence case; the contributor, both parties and the managing body act on it through its tasks)."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.errors import ServiceError
from ..services.registries.achievements import licence_queries, licence_requests
from . import licence_schemas as s
from .auth import authenticate_request
from .errors import error_response
from .openapi import operation

blp = Blueprint("api_licences", __name__, url_prefix="/api/v1",
                description="Licence agreements of the achievement sharing library (standard 5.6.2-5.6.3, App. H)")
blp.before_request(authenticate_request)


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


@blp.route("/licences")
class Licences(MethodView):
    @blp.response(200, s.MyLicencesSchema)
    @operation(blp, "listMyLicences", 401)
    def get(self):
        """List my licences: those my unit holds (licensee) and those it granted (licensor)"""
        as_licensee, as_licensor = licence_queries.my_licences(g.user)
        return {"as_licensee": as_licensee, "as_licensor": as_licensor}


@blp.route("/licences/<int:licence_id>")
class Licence(MethodView):
    @blp.response(200, s.LicenceDetailSchema)
    @operation(blp, "getLicence", 401, described={404: "no such licence, or I am neither a party nor an overseer"})
    def get(self, licence_id):
        """Get a licence agreement with its canonical text, confirmations and revenue"""
        view = licence_queries.licence_detail(g.user, licence_id)
        licence = view.licence
        licence.current_sha256, licence.canonical_text = view.text_sha256, view.text
        licence.confirmations, licence.revenue, licence.revenue_total = \
            view.confirmations, view.revenue, view.revenue_total
        return licence


@blp.route("/achievements/<int:achievement_id>/licences")
class AchievementLicences(MethodView):
    @blp.arguments(s.LicenceTermsInSchema)
    @blp.response(201, s.LicenceSchema)
    @operation(blp, "applyForLicence", 401, 422, described={
        403: "the contributor's own achievement",
        404: "no such achievement, or not one whose card I see",
        409: "not offered under a licence, or the terms conflict with an exclusive or sole licence (the message "
             "names its number, type, territory and term)"})
    def post(self, args, achievement_id):
        """Apply for a licence of an achievement on App. H terms (starts the licence case)"""
        return licence_requests.apply_for_licence(g.user, achievement_id, args)
