"""audit anchors

Revision ID: bcc3187b4602
Revises: 076502a3cdd5
Create Date: 2026-11-25 15:28:57.859146

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bcc3187b4602'
down_revision = '076502a3cdd5'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('audit_anchor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )



def downgrade():

    op.drop_table('audit_anchor')

