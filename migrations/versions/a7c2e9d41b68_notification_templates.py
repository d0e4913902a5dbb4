"""notifications keep their message template and values, to be shown in each reader's language

Revision ID: a7c2e9d41b68
Revises: f3b8d2a6c915
Create Date: 2026-11-25 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c2e9d41b68'
down_revision = 'f3b8d2a6c915'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('said', sa.JSON(), nullable=True))   # older rows: their stored text


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('said')
