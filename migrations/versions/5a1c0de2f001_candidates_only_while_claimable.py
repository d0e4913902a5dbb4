"""candidate rows only while a task is claimable

Revision ID: 5a1c0de2f001
Revises: 433048ae64d2
Create Date: 2026-11-25 16:10:00

The inbox reads claimable tasks from task_candidate alone; a claimed (assigned)
task must no longer have candidate rows there.
"""
from alembic import op

revision = '5a1c0de2f001'
down_revision = '433048ae64d2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM task_candidate WHERE task_id IN "
               "(SELECT id FROM human_task WHERE assignee_id IS NOT NULL)")


def downgrade():
    pass   # the rows can be rebuilt from human_task.candidate_groups if ever needed
