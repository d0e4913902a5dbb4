"""The statements every command runs, compiled once and run on the command's own DBAPI cursor.

A claim runs five statements and a completion about twelve. Through SQLAlchemy's
`Connection.execute` each costs 40–100 µs of Python around the 5–15 µs the
database takes: execution context, compiled-cache lookup, parameter and result
wrapping. For these few fixed statements that work is done once here instead:
the SQLAlchemy Core statement (built from the models, so the SQL stays the
dialect's own) is compiled for the connection's dialect on first use, with
its parameter order and the column types' bind and result processors, and
then run directly on the cursor of the connection the session's transaction
holds. Same connection, same transaction: it commits or rolls back with the
command, exactly as before.

What SQLAlchemy would still add is kept: database errors are raised as
SQLAlchemy's own exception classes (an IntegrityError stays an IntegrityError,
which a command reports as a conflict), and the engine's `before_cursor_execute`
listeners see every statement (the benchmarks count statements with them).

Only plain statements qualify: no expanding IN lists, no ORM entities. Anything
else goes through `session.execute` as usual.

A write that fails here (or a version check that fails in rows.py) leaves the
transaction needing a rollback, as a failed ORM flush does: until it is rolled
back, no further statement runs and the session will not commit, so work done
before the failure can never be committed without the rest.
"""
from sqlalchemy import event, exc
from sqlalchemy.orm import Session

from . import savepoints

_prepared = {}      # (id(statement), dialect name, column keys) -> _Prepared


class _Prepared:
    __slots__ = ("statement", "sql", "names", "constants", "bind", "result", "positional")

    def __init__(self, statement, dialect, column_keys):
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        binds = compiled.binds
        if any(b.expanding for b in binds.values()):
            raise ValueError("statements with expanding IN parameters go through session.execute")
        self.statement = statement          # keeps the statement alive, so its id is not reused
        self.sql = compiled.string
        self.positional = compiled.positional
        order = compiled.positiontup if compiled.positional else list(binds)
        # a bind either takes a caller's parameter (by its key) or has a value of its own (LIMIT 1)
        self.names = [(name, binds[name].key, binds[name].value if binds[name].value is not None
                       and not binds[name].required else _REQUIRED) for name in order]
        self.bind = {name: binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order}
        if statement.is_insert and any(b.key not in column_keys for b in binds.values()):
            raise ValueError("an INSERT run here must be given every column it writes")
        self.result = [c.type.dialect_impl(dialect).result_processor(dialect, None)
                       for c in statement.exported_columns]   # SELECT columns, or RETURNING's

    def parameters(self, params):
        values = []
        for name, key, constant in self.names:
            value = params[key] if constant is _REQUIRED else constant
            processor = self.bind[name]
            values.append(processor(value) if processor is not None and value is not None else value)
        return tuple(values) if self.positional else dict(zip((name for name, _k, _c in self.names), values))

    def process(self, row):
        return tuple(p(v) if p is not None else v for p, v in zip(self.result, row))


_REQUIRED = object()


def _prepare(statement, dialect, column_keys=None):
    key = (id(statement), dialect.name, column_keys)
    prepared = _prepared.get(key)
    if prepared is None or prepared.statement is not statement:
        prepared = _prepared[key] = _Prepared(statement, dialect, list(column_keys) if column_keys else None)
    return prepared


_CONNECTION = "statements_connection"


class _Link:
    """The transaction's connection, its DBAPI connection, dialect and error base class."""
    __slots__ = ("connection", "dbapi", "dialect", "error")

    def __init__(self, connection):
        self.connection = connection
        self.dbapi = connection.connection.dbapi_connection
        self.dialect = connection.dialect
        self.error = connection.dialect.loaded_dbapi.Error


def _link(session):
    """Asked of the session once per transaction (asking costs more than a statement here)."""
    info = session.info
    link = info.get(_CONNECTION)
    if link is None or not link.connection.in_transaction():   # (a failed flush ended it: ask again)
        link = info[_CONNECTION] = _Link(session.connection())
    return link


@event.listens_for(Session, "after_transaction_end")
def _forget_the_connection(session, transaction):
    if transaction.parent is None or transaction.nested:
        session.info.pop(_CONNECTION, None)


@event.listens_for(Session, "after_rollback")
def _forget_a_rolled_back_connection(session):
    # A rollback (a savepoint's too, e.g. after a failed flush) leaves the transaction inactive
    # until the caller rolls it back in turn: asking the session again raises as the ORM would.
    session.info.pop(_CONNECTION, None)


@event.listens_for(Session, "after_transaction_create")
def _ask_again_in_a_savepoint(session, transaction):
    # A savepoint takes the connection, and emits its SAVEPOINT, only when it is asked for
    # it: a statement run on the connection held from before would run outside the savepoint.
    if transaction.nested:
        session.info.pop(_CONNECTION, None)


_FAILED = "failed_write"      # session.info: what failed, until the transaction (or savepoint) rolls back


def write_failed(session, error):
    """Record that a write of this transaction failed: it must now be rolled back."""
    savepoints.note(session, _FAILED, f"{type(error).__name__}: {error}")


def refuse_after_a_failed_write(session):
    failed = savepoints.items(session, _FAILED)
    if failed:
        raise exc.PendingRollbackError(
            f"This transaction must be rolled back: an earlier write failed ({failed[0]}).")


@event.listens_for(Session, "before_commit")
def _no_commit_after_a_failed_write(session):
    refuse_after_a_failed_write(session)


savepoints.undo_with(_FAILED)   # a savepoint rolled back: its failure is undone; gone with the transaction


def dialect(session):
    """The dialect of the session's connection (asked once per transaction)."""
    return _link(session).dialect


def _run(session, statement, params, many=False):
    if _FAILED in session.info:
        refuse_after_a_failed_write(session)
    link = _link(session)
    if many:
        prepared = _prepare(statement, link.dialect, tuple(params[0]))
        values = [prepared.parameters(p) for p in params]
    else:
        prepared = _prepare(statement, link.dialect, tuple(params) if statement.is_insert else None)
        values = prepared.parameters(params)
    cursor = link.dbapi.cursor()
    connection = link.connection
    dispatch = connection.dispatch
    context = _Context() if dispatch.before_cursor_execute or dispatch.after_cursor_execute else None
    if dispatch.before_cursor_execute:
        dispatch.before_cursor_execute(connection, cursor, prepared.sql, values, context, many)
    try:
        if many:
            cursor.executemany(prepared.sql, values)
        else:
            cursor.execute(prepared.sql, values)
    except link.error as error:
        cursor.close()
        wrapped = exc.DBAPIError.instance(prepared.sql, values, error, link.error, dialect=link.dialect)
        if statement.is_dml:
            write_failed(session, wrapped)
        raise wrapped from error
    if dispatch.after_cursor_execute:
        dispatch.after_cursor_execute(connection, cursor, prepared.sql, values, context, many)
    return prepared, cursor


class _Context:
    """Stands in for SQLAlchemy's execution context for statement listeners that keep notes on it
    (Flask-SQLAlchemy's query recording sets its start time there)."""


def execute(session, statement, params):
    """Run an INSERT, UPDATE or DELETE; returns the number of rows it touched."""
    _prepared_statement, cursor = _run(session, statement, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def execute_many(session, statement, rows):
    """Run an INSERT once per row of `rows` (dicts with the same keys)."""
    if rows:
        _prepared_statement, cursor = _run(session, statement, rows, many=True)
        cursor.close()


def all_rows(session, statement, params):
    """The rows of a SELECT (or of RETURNING), as tuples in the statement's column order."""
    prepared, cursor = _run(session, statement, params)
    try:
        return [prepared.process(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def first_row(session, statement, params):
    found = all_rows(session, statement, params)
    return found[0] if found else None
