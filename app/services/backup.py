"""Backup and restore of the whole database, and the audit check of a restored copy.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, taken while the
app runs) and `pg_restore` (client programs of the server's major version, on
the PATH). SQLite: the online backup API of Python's `sqlite3` module, which
copies a consistent snapshot page by page while other connections keep writing,
and back the same way into the restored file.

A restore refuses a target that already holds tables unless `force` is given
(then the target's schemas are dropped, or its file overwritten, first). After a
restore the caller verifies the copy like `flask verify-audit` does: every hash
chain, the anchors stored in the copy, and, given anchors kept outside the
database (`flask export-anchors`), that nothing they recorded is missing: a
backup older than a kept anchor, or a dump cut short, fails there.

Not a command in the sense of app/services/command.py: these functions act on
the database as a whole, through the database's own tools, outside any
transaction of the app. The caller disposes the app's connections first (the
CLI does).
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from .audit import trail as audit

_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"     # an SQL list: a constant


class BackupError(Exception):
    """A backup or restore that could not be done (the message says why)."""


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore, and the environment with its password.

    The password goes in PGPASSWORD, not on the command line (where `ps` would show it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client programs are needed)") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def backup(database_url: str, out: str | os.PathLike[str]) -> int:
    """Write a consistent copy of the database to `out`; returns its size in bytes."""
    url = make_url(database_url)
    target = Path(out)
    if target.exists():
        raise BackupError(f"{target} exists: a backup never overwrites a file")
    if url.get_backend_name() == "postgresql":
        uri, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", uri], env)
    elif url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"no database file at {source}")
        with closing(_sqlite_connect(source)) as src, closing(_sqlite_connect(target)) as dst:
            src.backup(dst)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    return target.stat().st_size


def tables_in(database_url: str) -> list[str]:
    """The tables the database holds (schema-qualified on PostgreSQL); [] for a fresh database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return []
        with closing(_sqlite_connect(path)) as conn:
            return [name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                f"WHERE table_schema NOT IN {_SYSTEM_SCHEMAS} ORDER BY 1")).scalars())
    finally:
        engine.dispose()


def restore(database_url: str, source: str | os.PathLike[str], force: bool = False) -> None:
    """Restore a backup made by `backup()` into the database of `database_url`.

    Refused when the target holds any table, unless `force`: then it is emptied first."""
    url = make_url(database_url)
    dump = Path(source)
    if not dump.is_file():
        raise BackupError(f"no backup file at {dump}")
    existing = tables_in(database_url)
    if existing and not force:
        raise BackupError(f"the target database is not empty ({len(existing)} table(s), e.g. {existing[0]}); "
                          "restore into a fresh database, or pass --force to replace it")
    if url.get_backend_name() == "postgresql":
        if existing:
            _empty_postgres(url)
        uri, env = _libpq(url)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={uri}", str(dump)], env)
    elif url.get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(_sqlite_connect(dump)) as src:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{dump} is not an intact SQLite database")
            with closing(_sqlite_connect(target)) as dst:
                src.backup(dst)           # replaces every page of the target, the WAL included
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")


def _empty_postgres(url: URL) -> None:
    """Drop every schema of the target (each restored from the dump), and give back an empty `public`."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            schemas: list[str] = list(conn.execute(text(
                f"SELECT nspname FROM pg_namespace WHERE nspname NOT IN {_SYSTEM_SCHEMAS} "
                "AND nspname NOT LIKE 'pg\\_%'")).scalars())
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(url.database)


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=30)


@dataclass
class RestoredCheck:
    """What `flask verify-audit` says of a (restored) database."""
    chains: list[audit.ChainReport]
    anchors: audit.AnchorReport
    kept: audit.AnchorReport | None

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.chains) and self.anchors.ok and (self.kept is None or self.kept.ok)


def verify(kept_anchors: list[dict] | None = None) -> RestoredCheck:
    """Every chain, the stored anchors, and (given) the anchors kept outside the database."""
    kept = audit.verify_kept_anchors(kept_anchors) if kept_anchors is not None else None
    return RestoredCheck(audit.verify_all(), audit.verify_anchors(), kept)
