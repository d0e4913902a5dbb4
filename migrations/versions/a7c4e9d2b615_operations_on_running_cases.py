"""operations on running cases: suspension and termination on the case row, migration batches, incidents of failed steps

Revision ID: a7c4e9d2b615
Revises: c7a1e5d9f302
Create Date: 2026-12-06 00:10:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'a7c4e9d2b615'
down_revision = "c7a1e5d9f302"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_instance') as batch:
        batch.add_column(sa.Column('suspended_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('end_reason', sa.String(length=500), nullable=False, server_default=''))
    op.create_table('migration_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=100), nullable=False),
    sa.Column('from_version', sa.Integer(), nullable=True),
    sa.Column('to_version', sa.Integer(), nullable=False),
    sa.Column('target_definition_id', sa.Integer(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['target_definition_id'], ['process_definition.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('migration_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('from_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['migration_batch.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_migration_item_batch', 'migration_item', ['batch_id', 'status', 'id'], unique=False)
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.String(length=100), nullable=False),
    sa.Column('element_name', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_incident_status', 'incident', ['status', 'created_at'], unique=False)
    op.create_index('ix_incident_instance', 'incident', ['instance_id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_incident_instance', table_name='incident')
    op.drop_index('ix_incident_status', table_name='incident')
    op.drop_table('incident')
    op.drop_index('ix_migration_item_batch', table_name='migration_item')
    op.drop_table('migration_item')
    op.drop_table('migration_batch')
    with op.batch_alter_table('process_instance') as batch:
        batch.drop_column('end_reason')
        batch.drop_column('suspended_at')
