"""optional JSON values: a stored JSON null becomes SQL NULL

Rows written through the ORM stored None in the optional JSON columns as the
JSON text 'null'; rows written by prepared statements store SQL NULL, as the
columns now declare (none_as_null). One convention for old rows too.

Revision ID: f3b8d2a6c915
Revises: e4f1a9c3b702
Create Date: 2026-11-25 22:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f3b8d2a6c915'
down_revision = 'e4f1a9c3b702'
branch_labels = None
depends_on = None

COLUMNS = {"human_task": ("draft_data", "plan"), "attachment": ("meta",), "timer_job": ("policy",)}


def upgrade():
    bind = op.get_bind()
    for table, columns in COLUMNS.items():     # one pass over each table
        quoted = [f'"{c}"' for c in columns]     # "plan" is a keyword to SQLite
        sets = ", ".join(f"{c} = CASE WHEN CAST({c} AS TEXT) = 'null' THEN NULL ELSE {c} END" for c in quoted)
        found = " OR ".join(f"CAST({c} AS TEXT) = 'null'" for c in quoted)
        bind.execute(sa.text(f"UPDATE {table} SET {sets} WHERE {found}"))


def downgrade():
    pass    # SQL NULL reads back as None under either convention
