"""Readiness: can this process reach its database right now?"""
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

log = logging.getLogger(__name__)


def database_ready():
    """One trivial query; False (and one log line, no traceback) when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable (%s: %s)", type(exc).__name__, str(exc).splitlines()[0][:200])
        db.session.rollback()
        return False
