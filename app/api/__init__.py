"""The JSON API (flask-smorest): OpenAPI at /api/openapi.json, interactive page at /api/docs."""
from ..extensions import api, csrf
from . import (
    account_resources,
    achievement_resources,
    incident_schemas,
    licence_resources,
    message_resources,
    openapi,
    operation_resources,
    problem_resources,
    project_resources,
    sharing_resources,
)
from .resources import blp

# the `incident` path converter (`step-12`, `timer-7`) is documented with its pattern (registered once:
# `api` outlives each app, and replays its converters into every app's document)
api.register_converter(incident_schemas.IncidentRefConverter, incident_schemas.incident_ref_parameter)


def init_app(app):
    app.url_map.converters["incident"] = incident_schemas.IncidentRefConverter    # before the routes are added
    api.init_app(app)
    openapi.register(api.spec)
    csrf.exempt(blp)   # token requests carry no cookie; session requests are checked in authenticate_request
    csrf.exempt(problem_resources.blp)
    csrf.exempt(project_resources.blp)
    csrf.exempt(message_resources.blp)
    csrf.exempt(achievement_resources.blp)
    csrf.exempt(licence_resources.blp)
    csrf.exempt(sharing_resources.blp)
    csrf.exempt(account_resources.blp)
    csrf.exempt(operation_resources.blp)
    api.register_blueprint(blp)
    api.register_blueprint(problem_resources.blp)
    api.register_blueprint(project_resources.blp)
    api.register_blueprint(message_resources.blp)
    api.register_blueprint(achievement_resources.blp)
    api.register_blueprint(licence_resources.blp)
    api.register_blueprint(sharing_resources.blp)
    api.register_blueprint(account_resources.blp)
    api.register_blueprint(operation_resources.blp)
