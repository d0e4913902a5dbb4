"""Errors a command raises; the API and the web views map each to one status code."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    """The record changed since it was loaded, or the action was already taken."""
    status = 409


class ValidationFailed(ServiceError):
    """Bad input; `errors` maps each field path to its messages."""
    status = 422


class TooManyAttempts(ServiceError):
    """Too many failed logins (or API tokens) lately, for the account or from the address."""
    status = 429
