"""decision definitions (DMN in rules/), pinned with the process definitions that evaluate them

Revision ID: d7a3b9e2c418
Revises: c5e8a1f0d342
Create Date: 2026-12-04 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a3b9e2c418'
down_revision = 'c5e8a1f0d342'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'decision_definition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('dmn_xml', sa.Text(), nullable=False),
        sa.Column('decision_ids', sa.JSON(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('deployed_at', sa.DateTime(), nullable=False),
        sa.Column('deployed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['deployed_by_id'], ['user_account.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key', 'content_hash'),
        sa.UniqueConstraint('key', 'version'),
    )
    with op.batch_alter_table('decision_definition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_definition_key'), ['key'], unique=False)
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decisions', sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_column('decisions')
    with op.batch_alter_table('decision_definition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_definition_key'))
    op.drop_table('decision_definition')
