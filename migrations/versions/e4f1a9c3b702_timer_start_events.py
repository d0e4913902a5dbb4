"""timer start events: start jobs belong to a definition; timer-started cases have no initiator

Revision ID: e4f1a9c3b702
Revises: 0d6489964e8b
Create Date: 2026-11-25 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e4f1a9c3b702'
down_revision = '0d6489964e8b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('timer_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('definition_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_timer_job_definition', 'process_definition', ['definition_id'], ['id'])
        batch_op.alter_column('instance_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.alter_column('started_by_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    started_by_timer = op.get_bind().execute(
        sa.text("SELECT count(*) FROM process_instance WHERE started_by_id IS NULL")).scalar()
    if started_by_timer:
        raise RuntimeError(f"{started_by_timer} case(s) were started by a timer and have no initiator; "
                           "the older schema cannot hold them. Archive or remove them first.")
    op.execute("DELETE FROM timer_job WHERE instance_id IS NULL")
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.alter_column('started_by_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('timer_job', schema=None) as batch_op:
        batch_op.alter_column('instance_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('fk_timer_job_definition', type_='foreignkey')
        batch_op.drop_column('definition_id')
