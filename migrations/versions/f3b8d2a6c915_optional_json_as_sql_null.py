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

COLUMNS = (("human_task", "draft_data"), ("human_task", "plan"), ("attachment", "meta"), ("timer_job", "policy"))


def upgrade():
    bind = op.get_bind()
    for table, column in COLUMNS:
        bind.execute(sa.text(f"UPDATE {table} SET {column} = NULL "
                             f"WHERE {column} IS NOT NULL AND CAST({column} AS TEXT) = 'null'"))


def downgrade():
    pass    # SQL NULL reads back as None under either convention
