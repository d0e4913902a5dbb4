"""The single place commands commit or roll back."""
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from . import members
from .errors import Conflict


@contextmanager
def command():
    """Run a block as one all-or-nothing command.

    A lost optimistic-lock race (StaleDataError) or a duplicate key becomes a
    Conflict: the caller learns that someone else acted first, nothing is saved.
    """
    session = db.session
    session.info.pop("audit_heads", None)        # carried chain heads are valid within one transaction only
    members.forget(session)                       # nor are cached members, if a read began the transaction
    try:
        yield session
        session.commit()
        _after_commit()
    except StaleDataError:
        session.rollback()
        raise Conflict("this record was changed by someone else; reload and try again") from None
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("this action conflicts with one taken at the same time; reload and try again") from exc
    except OperationalError as exc:
        session.rollback()
        if "could not serialize" in str(exc) or "deadlock" in str(exc) or "database is locked" in str(exc):
            raise Conflict("the record is busy; try again") from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop("audit_heads", None)
        session.info.pop("mail_outbox", None)      # a rolled-back command sends nothing


def _after_commit():
    from . import mailer
    mailer.deliver()
