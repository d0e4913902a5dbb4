"""Inserting a new row without the unit of work, for the rows every step creates.

The ORM would insert a new inbox row at the next flush, which also sorts and
writes everything else the command has changed so far, just to learn the new
id. Here the row is inserted with one prepared statement, and the object is put
in the session as if it had been loaded: later changes to it are ordinary
(version-checked) updates at commit, and nothing is written twice.
"""
from sqlalchemy import event, insert
from sqlalchemy.orm import Session, make_transient_to_detached

_statements = {}
_KEY = "inserted_rows"


def _insert_statement(table):
    statement = _statements.get(table)
    if statement is None:
        statement = _statements[table] = insert(table)
    return statement


def full_row(model, values):
    """Every column of `model`: the given values, else the column's Python default, else None."""
    mapper = model.__mapper__
    row = {}
    for column in model.__table__.columns:
        if column.key in values:
            row[column.key] = values[column.key]
        elif column.primary_key:
            continue
        elif mapper.version_id_col is not None and column is mapper.version_id_col:
            row[column.key] = 1                     # what the ORM writes for a new row
        elif column.default is not None and column.default.is_scalar:
            row[column.key] = column.default.arg
        elif column.default is not None and column.default.is_callable:
            row[column.key] = column.default.arg(None)
        else:
            row[column.key] = None
    return row


def insert_persistent(session, model, **values):
    """INSERT one `model` row now and return it as a persistent object of `session`."""
    row = full_row(model, values)
    # A None the caller did not give is left to the database (SQL NULL, not JSON 'null').
    given = {key: value for key, value in row.items() if value is not None or key in values}
    result = session.connection().execute(_insert_statement(model.__table__), given)
    obj = model()
    for key, value in row.items():
        setattr(obj, key, value)
    obj.id = result.inserted_primary_key[0]
    make_transient_to_detached(obj)      # as if loaded: no pending insert, no attribute history
    session.add(obj)
    session.info.setdefault(_KEY, []).append(obj)
    return obj


@event.listens_for(Session, "after_commit")
def _forget_inserted(session):
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_rollback")
def _expunge_rolled_back(session):
    # The ORM drops the objects its own rolled-back INSERTs made; do the same for these, or a
    # later row that gets the same id (SQLite reuses them) would clash in the identity map.
    for obj in session.info.pop(_KEY, ()):
        if obj in session:
            session.expunge(obj)
