"""Logging: one handler on the root logger, plain text (development) or one JSON object a line.

Every log record carries `request_id`: the id of the HTTP request being served
(`X-Request-ID`, see requests.py) or of the scheduler's wake-up, held in a
ContextVar so that it follows the code that runs for that request, in any
module, without being passed around.
"""
import contextlib
import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone

from flask.logging import default_handler

current_request_id: ContextVar[str] = ContextVar("chainq_request_id", default="-")

# What a client may send as X-Request-ID: a token a log search can use, nothing that could forge a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
# Record attributes that the access log adds (extra=...) and the JSON line carries as fields.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "user_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def new_request_id(prefix=""):
    return f"{prefix}{uuid.uuid4().hex}"


def sane_request_id(value):
    """The client's id when it is a plain token, else None (a new id is made instead)."""
    return value if value and _SANE_ID.fullmatch(value) else None


@contextlib.contextmanager
def bound_request_id(request_id):
    """Log records written inside the block carry `request_id`."""
    token = current_request_id.set(request_id)
    try:
        yield request_id
    finally:
        current_request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, access fields, traceback."""

    def format(self, record):
        line = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                "request_id": getattr(record, "request_id", "-")}
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the moment of writing (test runners replace it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _not_engine_chatter(record):
    """SpiffWorkflow logs every task state change at INFO: history is the audit trail, not the log."""
    return record.levelno >= logging.WARNING or not record.name.startswith("spiff")


_handler = StderrHandler()
_handler.addFilter(_not_engine_chatter)
_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs):
    record = _factory(*args, **kwargs)
    record.request_id = current_request_id.get()
    return record


def configure(app):
    """Install the handler once per process; the app's LOG_FORMAT and LOG_LEVEL decide its shape."""
    if logging.getLogRecordFactory() is not _record_with_request_id:
        logging.setLogRecordFactory(_record_with_request_id)
    json_lines = app.config["LOG_FORMAT"] == "json"
    _handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)   # records reach the root handler: no second copy
