"""user e-mail

Revision ID: 0d6489964e8b
Revises: 5a1c0de2f001
Create Date: 2026-11-25 16:17:22.903702

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0d6489964e8b'
down_revision = '5a1c0de2f001'
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=True))




def downgrade():

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email')


