"""Errors as pages for the browser and as the one JSON shape for the API; never a stack trace.

Registered after the API so that it also replaces flask-smorest's JSON-only
handler for HTTP errors on browser pages."""
from flask import render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..api.errors import error_response
from ..services.errors import ServiceError

_LOCATIONS = {"json", "query", "form", "files", "headers", "view_args"}


def _wants_json():
    return request.path.startswith("/api/")


def init_app(app):
    @app.errorhandler(ServiceError)
    def service_error(exc):
        if _wants_json():
            return error_response(exc.status, exc.message, exc.errors)
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if _wants_json():
            data = getattr(exc, "data", None) or {}
            errors = data.get("messages") if isinstance(data, dict) else None
            if isinstance(errors, dict) and set(errors) <= _LOCATIONS:   # webargs nests by location
                errors = {k: v for location in errors.values() for k, v in location.items()}
            message = "some fields need correcting" if errors else exc.description
            return error_response(exc.code or 500, message, errors)
        if exc.code and exc.code < 400:
            return exc
        message = None if exc.code == 404 else exc.description
        return render_template("error.html", status=exc.code, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unexpected error on %s", request.path)
        if _wants_json():
            return error_response(500, "internal error; it has been logged")
        return render_template("error.html", status=500, message=InternalServerError.description), 500
