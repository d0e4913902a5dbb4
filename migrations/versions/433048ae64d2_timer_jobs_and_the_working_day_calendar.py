"""timer jobs and the working-day calendar

Revision ID: 433048ae64d2
Revises: 7db67ed71f68
Create Date: 2026-11-25 16:01:35.910587

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '433048ae64d2'
down_revision = '7db67ed71f68'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )
    op.create_table('timer_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.String(length=100), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('fired', sa.Integer(), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('fired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('timer_job', schema=None) as batch_op:
        batch_op.create_index('ix_timer_job_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_timer_job_instance', ['instance_id', 'status'], unique=False)




def downgrade():

    with op.batch_alter_table('timer_job', schema=None) as batch_op:
        batch_op.drop_index('ix_timer_job_instance')
        batch_op.drop_index('ix_timer_job_due')

    op.drop_table('timer_job')
    op.drop_table('holiday')

