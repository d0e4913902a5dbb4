"""approval steps, carbon copies, notifications

Revision ID: 7db67ed71f68
Revises: bcc3187b4602
Create Date: 2026-11-25 15:45:20.453386

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7db67ed71f68'
down_revision = 'bcc3187b4602'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('carbon_copy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('element_id', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['sender_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('carbon_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carbon_copy_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_cc_user', ['user_id', 'read_at', 'created_at'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user', ['user_id', 'read_at', 'created_at'], unique=False)

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_mode', sa.String(length=20), nullable=False, server_default='single'))
        batch_op.add_column(sa.Column('slot', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('plan', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('delegation_state', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_urged_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key('fk_human_task_owner_id_user_account', 'user_account', ['owner_id'], ['id'])




def downgrade():

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_constraint('fk_human_task_owner_id_user_account', type_='foreignkey')
        batch_op.drop_column('last_urged_at')
        batch_op.drop_column('delegation_state')
        batch_op.drop_column('owner_id')
        batch_op.drop_column('plan')
        batch_op.drop_column('slot')
        batch_op.drop_column('step_mode')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user')

    op.drop_table('notification')
    with op.batch_alter_table('carbon_copy', schema=None) as batch_op:
        batch_op.drop_index('ix_cc_user')
        batch_op.drop_index(batch_op.f('ix_carbon_copy_instance_id'))

    op.drop_table('carbon_copy')

