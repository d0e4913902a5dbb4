"""SQLite settings for a multi-threaded web server: WAL, a busy timeout, foreign keys, checkpoints."""
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _on_connect(dbapi_connection, _record):
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Copy the write-ahead log back into the database every 10,000 pages (40 MB) instead of
    # every 1,000: each checkpoint syncs the disk twice and copies every page the log holds, and
    # the pages every command writes (a case, its inbox rows, the tails of the audit and
    # notification tables and their indexes) are copied once per checkpoint however often they
    # were rewritten. Measured: 10-15 % less time per command (docs/performance.md).
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA journal_size_limit=67108864")   # and the log file shrinks back to 64 MB after one
    cursor.close()


def init_app(app):
    if not getattr(init_app, "_done", False):
        event.listen(Engine, "connect", _on_connect)
        init_app._done = True
