"""modeler: change notes on versions, drafts per administrator, starting switched off per process

Revision ID: 46be671a557e
Revises: ede7facb7085
Create Date: 2026-12-05 23:55:56.702957

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '46be671a557e'
down_revision = 'ede7facb7085'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disabled_process_start',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('disabled_at', sa.DateTime(), nullable=False),
    sa.Column('disabled_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['disabled_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('modeler_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'key')
    )
    with op.batch_alter_table('modeler_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_modeler_draft_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_note', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_column('change_note')

    with op.batch_alter_table('modeler_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_modeler_draft_user_id'))

    op.drop_table('modeler_draft')
    op.drop_table('disabled_process_start')
