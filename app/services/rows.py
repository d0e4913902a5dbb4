"""Reading, inserting and updating the rows every step touches without the unit of work.

The case and its inbox rows are read, created and changed by every command. The
ORM costs several times what the database does for each: a query builds its
entities through the loading machinery, an insert waits for the next flush
(which sorts and writes everything else the command has changed so far, just to
learn the new id), and an update goes through the unit of work at commit.

Here the rows are read and inserted with prepared statements (`statements.py`)
and the objects are put in the session as if the ORM had loaded them, so the
rest of the code works with ordinary persistent objects; changes to them are
written at flush by one prepared, version-checked UPDATE each. Everything else
in the session is still the ORM's.
"""
from sqlalchemy import bindparam, event, insert, inspect, select, update
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from ..models import HumanTask, ProcessInstance
from . import savepoints, statements

_statements = {}
_KEY = "inserted_rows"
_UPDATED_IN_SAVEPOINT = "rows_updated_in_savepoint"


def _insert_statement(table):
    statement = _statements.get(table)
    if statement is None:
        statement = _statements[table] = insert(table).returning(*table.primary_key.columns)
    return statement


_defaults = {}


def _column_defaults(model):
    """(key, kind, value) per non-key column, worked out once per model."""
    found = _defaults.get(model)
    if found is None:
        mapper, found = model.__mapper__, []
        for column in model.__table__.columns:
            if column.primary_key:
                found.append((column.key, "key", None))
            elif mapper.version_id_col is not None and column is mapper.version_id_col:
                found.append((column.key, "value", 1))           # what the ORM writes for a new row
            elif column.default is not None and column.default.is_scalar:
                found.append((column.key, "value", column.default.arg))
            elif column.default is not None and column.default.is_callable:
                found.append((column.key, "call", column.default.arg))
            else:
                found.append((column.key, "value", None))
        _defaults[model] = found
    return found


def full_row(model, values):
    """Every column of `model`: the given values, else the column's Python default, else None."""
    row = {}
    for key, kind, default in _column_defaults(model):
        if key in values:
            row[key] = values[key]
        elif kind == "value":
            row[key] = default
        elif kind == "call":
            row[key] = default(None)
    return row


def insert_persistent(session, model, **values):
    """INSERT one `model` row now and return it as a persistent object of `session`."""
    row = full_row(model, values)
    # A None the caller did not give is left to the database (SQL NULL, not JSON 'null').
    given = {key: value for key, value in row.items() if value is not None or key in values}
    [new_id] = statements.first_row(session, _insert_statement(model.__table__), given)
    row["id"] = new_id
    obj = _persistent(session, model, row)
    savepoints.note(session, _KEY, obj)
    return obj


def _persistent(session, model, values):
    """A new object with these column values, in the session as if loaded (no history, no pending insert).

    These are the steps SQLAlchemy's own loading takes for a row it has not seen
    (orm/loading.py, `_instance`); the public route (make_transient_to_detached, then
    Session.add with its cascades) cost several times more. tests/services/test_rows__updates.py
    and test_appends__batch.py pin the result: persistent, clean, version-checked when changed,
    gone from the session when its transaction rolls back."""
    if isinstance(session, scoped_session):
        session = session()
    mapper = model.__mapper__
    obj = mapper.class_manager.new_instance()
    state = inspect(obj)
    state.dict.update(values)
    state.key = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    state.identity_token = None
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, state.key)
    state._commit_all(state.dict, session.identity_map)
    return obj


# --------------------------------------------------------------------------- reads
_selects = {}


def _columns(model):
    mapper = model.__mapper__
    return [(column, mapper.get_property_by_column(column).key) for column in model.__table__.columns]


def select_rows(*models):
    """SELECT every column of these models' tables (one row holds one object of each, in this order);
    add joins and WHERE to it, then read it with `load`."""
    return select(*[column for model in models for column, _key in _columns(model)])


def load(session, statement, params, *models):
    """Run a statement made by `select_rows(*models)`: a list of objects per row (one per model),
    followed by the values of any columns added after the models' (`.add_columns(...)`).

    As with an ORM query, an object the session already holds is returned as it is (its
    unsaved changes win), and one it holds expired is refreshed from the row."""
    layout = _selects.get(models)
    if layout is None:
        layout = _selects[models] = [(model, [key for _column, key in _columns(model)]) for model in models]
    loaded = []
    for row in statements.all_rows(session, statement, params):
        objects, start = [], 0
        for model, keys in layout:
            values = dict(zip(keys, row[start:start + len(keys)]))
            start += len(keys)
            objects.append(_attach(session, model, values))
        objects.extend(row[start:])
        loaded.append(objects)
    return loaded


def _attach(session, model, values):
    held = session.identity_map.get(identity_key(model, values[model.__mapper__.primary_key[0].key]))
    if held is None:
        return _persistent(session, model, values)
    state = inspect(held)
    # Expired attributes are loaded again, except those assigned since (still listed as expired
    # by SQLAlchemy): the session's unsaved change wins, as with an ORM query.
    for key in (state.expired_attributes - state.committed_state.keys()) & values.keys():
        set_committed_value(held, key, values[key])
    return held


@event.listens_for(Session, "after_commit")
def _forget_inserted(session):
    if savepoints.outermost_commit(session):
        session.info.pop(_KEY, None)


def _expunge(session, objects, _savepoint=None):
    # The ORM drops the objects its own rolled-back INSERTs made; do the same for these, or a
    # later row that gets the same id (SQLite reuses them) would clash in the identity map.
    for obj in objects:
        if obj in session:
            session.expunge(obj)


@event.listens_for(Session, "after_rollback")
def _expunge_rolled_back(session):
    if session.get_nested_transaction() is None:      # a savepoint's own rows: savepoints.py
        _expunge(session, savepoints.take(session, _KEY))


def _expire(session, objects, _savepoint):
    # As the ORM expires the rows it flushed inside a savepoint that rolls back: their
    # values and version in memory are the savepoint's, the database's are back to before it.
    for obj in objects:
        if obj in session:
            session.expire(obj)


savepoints.undo_with(_KEY, _expunge)
savepoints.undo_with(_UPDATED_IN_SAVEPOINT, _expire)


# --------------------------------------------------------------------------- updates
# The rows every command changes (the case and its inbox rows) are written by one
# prepared, version-checked UPDATE each when the session flushes, instead of by the
# unit of work: it sorts every object of the session, builds and compiles statements
# and post-processes each row, which cost more than the rest of a claim together.
# The result is the same as the ORM's: only the changed columns, `version` checked
# and incremented (a lost race raises StaleDataError, which a command reports as a
# conflict), the object clean afterwards.
_UPDATED_BY_STATEMENT = {}        # mapped class -> {frozenset(changed keys): statement}
_ORDER = {}                       # mapped class -> position: parents first, as the unit of work orders them
_REFERENCED_TABLES = set()        # tables the registered rows point at


def update_by_statement(*models):
    """Write changes to these models' rows with prepared statements (see above); parents first."""
    for model in models:
        _UPDATED_BY_STATEMENT.setdefault(model, {})
        _ORDER.setdefault(model, len(_ORDER))
        _REFERENCED_TABLES.update(fk.column.table for fk in model.__table__.foreign_keys)


def _update_statement(model, keys):
    statements = _UPDATED_BY_STATEMENT[model]
    statement = statements.get(keys)
    if statement is None:
        table, mapper = model.__table__, model.__mapper__
        values = {mapper.get_property(key).columns[0]: bindparam(f"set_{key}") for key in keys}
        where = [table.c[mapper.primary_key[0].key] == bindparam("where_id")]
        if mapper.version_id_col is not None:
            values[mapper.version_id_col] = bindparam("set_version_")
            where.append(mapper.version_id_col == bindparam("where_version_"))
        statement = statements[keys] = update(table).where(*where).values(values)
    return statement


def _version_key(mapper):
    return None if mapper.version_id_col is None else mapper.get_property_by_column(mapper.version_id_col).key


def _columns_only(mapper, keys):
    """Only plain columns changed (no relationship, not the version itself): else the ORM writes it."""
    return all(key in mapper.column_attrs for key in keys) and _version_key(mapper) not in keys


def write_updates(session):
    """UPDATE the changed rows of the registered models now; returns how many were written."""
    if not _UPDATED_BY_STATEMENT:
        return 0
    if any(getattr(type(obj), "__table__", None) in _REFERENCED_TABLES for obj in session.new):
        return 0       # a changed row may point at a row the unit of work has yet to insert: let it order them
    deleted = set(session.deleted)
    changed = []
    for obj in session.dirty:
        model = type(obj)
        if model not in _UPDATED_BY_STATEMENT or obj in deleted:
            continue
        state = inspect(obj)
        assigned = state.committed_state        # attribute -> value before this transaction assigned it
        if assigned and state.key is not None and _columns_only(state.mapper, assigned):
            values = state.dict       # an assignment of the same value is not a change (nor for the ORM)
            keys = frozenset(key for key, before in assigned.items() if before != values.get(key))
            changed.append((model, state, keys))
    if not changed:
        return 0
    # parents before children and by id, as the unit of work would order them (same lock order)
    written = 0
    for model, state, keys in sorted(changed, key=lambda c: (_ORDER[c[0]], c[1].key[1])):
        mapper, values = state.mapper, state.dict
        if not keys:
            state._commit_all(values, session.identity_map)     # nothing to write: clean, version unchanged
            continue
        params = {f"set_{key}": values.get(key) for key in keys}
        params["where_id"] = state.key[1][0]
        version_key = _version_key(mapper)
        if version_key is not None:
            if version_key not in values:     # the version is not loaded: let the ORM handle the row
                continue
            params["where_version_"] = values[version_key]
            params["set_version_"] = values[version_key] + 1
        if statements.execute(session, _update_statement(model, keys), params) != 1:
            stale = StaleDataError(f"UPDATE of {model.__table__.name} id {params['where_id']} expected "
                                   f"version {params.get('where_version_')}: changed by someone else")
            statements.write_failed(session, stale)     # rows written before it must not commit alone
            raise stale
        if version_key is not None:
            values[version_key] = params["set_version_"]
        # Clean now, exactly as after the ORM's own flush of the row (SQLAlchemy's internal
        # call for that; tests/services/test_rows__updates.py pins the behaviour).
        state._commit_all(values, session.identity_map)
        if savepoints.current(session) is not None:
            savepoints.note(session, _UPDATED_IN_SAVEPOINT, state.obj())
        written += 1
    return written


@event.listens_for(Session, "before_flush")
def _write_updates_first(session, _flush_context, _instances):
    write_updates(session)


update_by_statement(ProcessInstance, HumanTask)
