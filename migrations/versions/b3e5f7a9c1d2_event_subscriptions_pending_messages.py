"""message and signal subscriptions of running cases, and messages that arrived for nobody

Revision ID: b3e5f7a9c1d2
Revises: c8e1f4a2d593
Create Date: 2026-12-05 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e5f7a9c1d2'
down_revision = 'c8e1f4a2d593'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('element_id', sa.String(length=100), nullable=False),
        sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
        sa.Column('business_key', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('event_subscription', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_event', ['kind', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_subscription_instance_id'), ['instance_id'], unique=False)
    op.create_table(
        'pending_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('business_key', sa.String(length=64), nullable=True),
        sa.Column('correlation_keys', sa.JSON(none_as_null=True), nullable=True),
        sa.Column('variables', sa.JSON(none_as_null=True), nullable=True),
        sa.Column('source_instance_id', sa.Integer(), nullable=True),
        sa.Column('source_element_id', sa.String(length=100), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('delivered_to_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['source_instance_id'], ['process_instance.id']),
        sa.ForeignKeyConstraint(['delivered_to_id'], ['process_instance.id']),
        sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('pending_message', schema=None) as batch_op:
        batch_op.create_index('ix_pending_message_open', ['status', 'name'], unique=False)


def downgrade():
    op.drop_table('pending_message')
    op.drop_table('event_subscription')
