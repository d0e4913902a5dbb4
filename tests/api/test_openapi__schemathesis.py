"""Schemathesis over the published OpenAPI document: every operation, as an administrator and as
an applicant (bearer tokens), with generated valid and invalid input, all of its checks on.

Each answer must be documented (status, content type, schema), no input may make a server
error, invalid input must be refused and missing or wrong credentials answered with 401. The
requests go over HTTP to a real gunicorn server (tests/api/live_server.py) on SQLite and on
PostgreSQL, so that the checks' own follow-up requests (a probe without credentials, say)
reach the same server and database as the case they follow.
"""
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.identity import users
from tests.support import database_url, make_app, reset_database

from .live_server import LiveServer

# Fuzzed cases per operation (the examples phase adds the document's own): enough to reach each
# operation's answers, few enough to keep the module within about a minute.
MAX_EXAMPLES = 5
CALLERS = ["admin", "applicant"]


def _document():
    """The OpenAPI document, read when the module is imported: pytest parametrizes the test by
    operation at collection, before any server runs (and the document needs no database)."""
    with tempfile.TemporaryDirectory(prefix="chainq-openapi-") as folder:
        app = make_app("sqlite://", Path(folder))
        return app.test_client().get("/api/openapi.json").get_json()


# The coverage phase (every boundary case the schema defines, regardless of max_examples) would
# take minutes here; the examples and fuzzing phases run, every check on.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request, tmp_path_factory):
    """(server URL, {username: bearer headers}) of a gunicorn server on a copy of the seeded database."""
    folder = tmp_path_factory.mktemp(f"schemathesis-{request.param}")
    app = make_app(database_url(request.param, folder), folder)
    with app.app_context():
        reset_database()
        people = db.session.execute(select(User).where(User.username.in_(CALLERS))).scalars()
        headers = {person.username: {"Authorization": f"Bearer {users.issue_token(person)}"} for person in people}
        db.session.remove()
        with LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], folder, workers=2) as server:
            yield f"http://127.0.0.1:{server.port}", headers
        db.session.remove()
        db.engine.dispose()


def _values(value):
    """Every scalar in a generated value (nested dicts and lists included, dict keys too)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _values(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _values(item)
    else:
        yield value


def _refused_text(case):
    """Whether the case holds text every operation refuses with 400 (docs/api.md): a NUL character
    or a lone surrogate, which JSON Schema's `string` cannot exclude."""
    return any(isinstance(v, str) and ("\x00" in v or any("\ud800" <= c <= "\udfff" for c in v))
               for v in _values([case.path_parameters, case.query, case.body]))


# gunicorn refuses a request line longer than this (its limit_request_line) with its own 414 page,
# before the app sees the request: such a generated query is gunicorn's to answer, not the API's.
REQUEST_LINE_LIMIT = 4094


def _too_long_for_gunicorn(case):
    query = urlencode(case.query or {}, doseq=True)
    return len(case.method) + len(case.formatted_path) + len(query) + len(" ? HTTP/1.1") > REQUEST_LINE_LIMIT


# A schema-valid upload (any bytes as `file`) is not necessarily a diagram: 422 is the right answer.
DEPLOYS = {"/api/v1/definitions", "/api/v1/decisions"}
# Nor is a schema-valid account, group or unit necessarily acceptable: it names a unit, district and
# groups that must exist, a password the policy accepts, a valid credit code; 422 names the field.
ADMIN_WRITES = "/api/v1/admin/"
# Nor is a schema-valid correction of a case's data: it must change something, remove only fields the case
# has, and name fields with 1 to 200 characters (OpenAPI 3.0 cannot say so of an object's keys).
DATA_CORRECTION = "/api/v1/instances/{instance_id}/data"


@pytest.mark.parametrize("username", CALLERS)
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, live, username):
    base_url, headers = live
    if _too_long_for_gunicorn(case):
        assert case.call(base_url=base_url, headers=headers[username]).status_code == 414
        return
    excluded = [schemathesis.checks.positive_data_acceptance] if _refused_text(case) else []
    if (case.path in DEPLOYS and case.method == "POST") or \
            (case.path.startswith(ADMIN_WRITES) and case.method in ("POST", "PUT")) or case.path == DATA_CORRECTION:
        excluded.append(schemathesis.checks.positive_data_acceptance)
    case.call_and_validate(base_url=base_url, headers=headers[username], excluded_checks=excluded)
