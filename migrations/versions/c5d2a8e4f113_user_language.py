"""users: the language each user last chose (their next logins and their e-mails use it)

Revision ID: c5d2a8e4f113
Revises: b3e8f1d7a402
Create Date: 2026-12-06 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d2a8e4f113'
down_revision = 'b3e8f1d7a402'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('locale')
