"""each approver's submitted form on their inbox row (a countersign's scores per expert)

Revision ID: c5e8a1f0d342
Revises: 9a0b0b51f015
Create Date: 2026-12-04 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e8a1f0d342'
down_revision = '9a0b0b51f015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_data', sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('form_data')
