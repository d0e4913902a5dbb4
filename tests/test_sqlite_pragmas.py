"""Every SQLite connection gets the settings the app relies on (app/sqlite_pragmas.py)."""
import pytest
from sqlalchemy import text

from app.extensions import db


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_each_connection_has_wal_a_busy_timeout_foreign_keys_and_larger_checkpoints(app):
    with db.engine.connect() as conn:
        read = {name: conn.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "wal_autocheckpoint",
                             "journal_size_limit")}
    assert read == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 5000,
                    "wal_autocheckpoint": 10000, "journal_size_limit": 67108864}
