"""SQLite settings for a multi-threaded web server, and commands that begin with BEGIN IMMEDIATE.

The pysqlite driver sends no BEGIN before a SELECT: a transaction's reads are not a
snapshot until its first write, and two commands could each read, then both try to
write. SQLAlchemy's documented pysqlite recipe ("Serializable isolation / Savepoints
/ Transactional DDL") emits the BEGIN itself from SQLAlchemy's `begin` event. A
command asks for it through an execution option and gets `BEGIN IMMEDIATE`: it takes
the write lock first, so its reads are one snapshot and a second writer waits
(busy_timeout) rather than failing late. Other transactions (page reads) keep the
driver's default: each statement sees the latest commit, as under PostgreSQL's READ
COMMITTED, and a write outside a command still begins a transaction (the driver's
implicit BEGIN). Once a BEGIN was sent, the driver sends none of its own, and its
commit() ends the transaction. These are the only engine hooks the app installs.
"""
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

BEGIN_IMMEDIATE = "chainq_begin_immediate"    # execution option a command sets on its connection


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


def _on_connect(dbapi_connection, _record):
    if not _is_sqlite(dbapi_connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Copy the write-ahead log back into the database every 10,000 pages (40 MB) instead of
    # every 1,000: each checkpoint syncs the disk twice and copies every page the log holds,
    # and the pages every command writes are copied once per checkpoint however often they
    # were rewritten.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA journal_size_limit=67108864")   # and the log file shrinks back to 64 MB after one
    cursor.close()


def _on_begin(connection: Connection):
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get(BEGIN_IMMEDIATE):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app):
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
