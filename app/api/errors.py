"""The one error shape of the API: {"code", "status", "message", "errors"}."""
from http import HTTPStatus

from flask import jsonify


def error_response(code, message, errors=None):
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    return response
