"""Errors as pages for the browser and as the one JSON shape for the API; never a stack trace.

Registered after the API so that it also replaces flask-smorest's JSON-only
handler for HTTP errors on browser pages. An HTTP error keeps its headers (405's
`Allow`); a database that cannot be reached answers 503 with `Retry-After`."""
from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..api.errors import error_response
from ..services.errors import ServiceError
from .input_guard import BadInput

_LOCATIONS = {"json", "query", "form", "files", "headers", "view_args"}
RETRY_AFTER_SECONDS = 30


def _wants_json():
    return request.path.startswith("/api/")


def field_errors(data):
    """{field: [messages]} from an HTTP error's data: webargs nests them by location
    ({"json": {"field": [...]}}), and says {"json": ["Invalid JSON body."]} for a body it cannot read."""
    errors = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(errors, dict) or not errors:
        return None
    if set(errors) <= _LOCATIONS:
        flat = {}
        for location, found in errors.items():
            if isinstance(found, dict):
                flat.update(found)
            else:
                flat[location] = found if isinstance(found, list) else [str(found)]
        return flat
    return errors


def database_unavailable(exc):
    """A DBAPI error that means the database cannot be reached now (the connection was lost or
    could not be made), as opposed to a statement the database refused."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    return bool(exc.connection_invalidated) or isinstance(exc, InterfaceError) or exc.statement is None


def _with_headers(response, exc):
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def init_app(app):
    @app.errorhandler(ServiceError)
    def service_error(exc):
        if _wants_json():
            return error_response(exc.status, exc.message, exc.errors)
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if _wants_json():
            errors = field_errors(getattr(exc, "data", None))
            # our own refusal (app/web/input_guard.py) names the field in its description
            message = exc.description if not errors or isinstance(exc, BadInput) else _("Some fields need correcting.")
            return _with_headers(error_response(exc.code or 500, message, errors), exc)
        if exc.code and exc.code < 400:
            return exc
        message = None if exc.code == 404 else exc.description
        response = app.make_response((render_template("error.html", status=exc.code, message=message), exc.code))
        return _with_headers(response, exc)

    @app.errorhandler(DBAPIError)
    def database_error(exc):
        if not database_unavailable(exc):
            return unexpected(exc)
        app.logger.warning("database unavailable on %s: %s", request.path, exc.orig)
        message = _("The database cannot be reached just now; try again in a moment.")
        if _wants_json():
            response = error_response(503, message)
        else:
            response = app.make_response((render_template("error.html", status=503, message=message), 503))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unexpected error on %s", request.path)
        if _wants_json():
            return error_response(500, "internal error; it has been logged")
        return render_template("error.html", status=500, message=InternalServerError.description), 500
