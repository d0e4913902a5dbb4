"""The single place commands commit or roll back, and when loaded objects are expired."""
from contextlib import contextmanager

from sqlalchemy import event, inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from . import members, savepoints
from .errors import Conflict

IN_COMMAND = "in_command"     # session.info flag: set by command() for its duration


@contextmanager
def command():
    """Run a block as one all-or-nothing command.

    A lost optimistic-lock race (StaleDataError) or a duplicate key becomes a
    Conflict: the caller learns that someone else acted first, nothing is saved.
    """
    session = db.session
    session.info.pop("audit_heads", None)        # carried chain heads are valid within one transaction only
    members.forget(session)                       # nor are cached members, if a read began the transaction
    session.info[IN_COMMAND] = True
    try:
        session.connection()   # begin now: objects left from an earlier transaction are expired first
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
        session.info.pop(IN_COMMAND, None)
        session.info.pop("audit_heads", None)
        session.info.pop("mail_outbox", None)      # a rolled-back command sends nothing


def _after_commit():
    from . import mailer
    mailer.deliver()


# Expiry. SQLAlchemy by default expires every loaded object when a transaction
# commits, so that the next access reloads it from the database. After a command,
# what is read next is nearly always what the command has just written and is
# still in the session (the page or API response showing the result): reloading
# it cost a query and the ORM's loading for nothing. The session is therefore
# configured not to expire on commit (app/extensions.py), and objects are expired
# instead when the next transaction begins, so work in a new transaction still
# sees the database as it is. A command begins its transaction before it loads
# anything (above); changes made to an object before a transaction began are kept.
_EXPIRE_AT_BEGIN = "expire_at_begin"


@event.listens_for(Session, "after_commit")
def _expire_when_the_next_transaction_begins(session):
    if savepoints.outermost_commit(session):     # a released savepoint: still the same transaction
        session.info[_EXPIRE_AT_BEGIN] = True


@event.listens_for(Session, "after_begin")
def _expire_what_an_earlier_transaction_loaded(session, _transaction, _connection):
    if session.info.pop(_EXPIRE_AT_BEGIN, False):
        for obj in list(session.identity_map.values()):
            if not inspect(obj).modified:
                session.expire(obj)
