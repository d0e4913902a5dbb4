"""What the OpenAPI document says besides the schemas: how to authenticate, the error answers
shared by the operations, and `operation()`, which gives each operation its stable operationId,
its security requirements and the errors it can answer (the linter's and client generators' view)."""
from .schemas import ErrorSchema

SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "a personal API token: the profile page, or `flask --app wsgi issue-token USER`"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session",
                "description": "the browser session after logging in at /login"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
             "description": "with the session on writes: the page's `<meta name=\"csrf-token\">`"},
}
# Either requirement object suffices; inside one object, every scheme is needed.
READ_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
WRITE_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": [], "csrf": []}]

# status -> (component name, description); each answers with the one error shape
ERROR_RESPONSES = {
    401: ("UNAUTHORIZED", "not authenticated: no valid token, no session, or a session write without X-CSRFToken"),
    403: ("FORBIDDEN", "not allowed: the record is not yours, or your role may not do this"),
    404: ("NOT_FOUND", "no such record"),
    409: ("CONFLICT", "the record changed since you read it, or its state does not allow this now"),
    422: ("UNPROCESSABLE_CONTENT", "invalid input: one list of messages per field in `errors`"),
}


def register(spec):
    """Add the security schemes and error responses to an app's spec (flask-smorest's `api.spec`)."""
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    for name, description in ERROR_RESPONSES.values():
        spec.components.response(name, {"description": description,
                                        "content": {"application/json": {"schema": ErrorSchema}}})


def operation(blp, operation_id, *errors, described=None, anonymous=False):
    """`@operation(blp, "completeTask", 401, 404, described={403: "the task is not yours"})`.

    Gives the operation its operationId and security, and documents each error status with the
    shared answer, or for the statuses in `described`, with that operation's own description.
    Reads (GET) accept the bearer token or the session; writes the token, or the session with the
    CSRF header. `anonymous`: a read open to anybody, with or without credentials."""
    def decorate(method):
        security = READ_SECURITY if method.__name__ == "get" else WRITE_SECURITY
        if anonymous:
            security = [{}, *security]
        for status in errors:
            method = blp.alt_response(status, response=ERROR_RESPONSES[status][0])(method)
        for status, description in (described or {}).items():
            method = blp.alt_response(status, schema=ErrorSchema, description=description)(method)
        return blp.doc(operationId=operation_id, security=security)(method)
    return decorate


def xml_upload(extension):
    """`@blp.doc(**xml_upload("bpmn"))`: a deploy's body, a multipart `file` or the XML itself."""
    return {
        "requestBody": {"required": True, "content": {
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary", "description": f"the .{extension} file"}}}},
            "application/xml": {"schema": {"type": "string",
                                           "description": f"the .{extension} XML itself (name it with ?filename=)"}},
        }},
        "parameters": [{"in": "query", "name": "filename", "schema": {"type": "string"},
                        "description": f"the name recorded for an XML body (default uploaded.{extension})"}],
    }
