"""inbox rows remember which visit of their step they belong to (拿回 and 退回 reopen a step
under the same engine task id; the signatures of an earlier visit must not decide the new one)

Revision ID: b6c2e8d4f017
Revises: f3d980bdbd5d
Create Date: 2026-12-05 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6c2e8d4f017'
down_revision = 'f3d980bdbd5d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('visit_opened_at', sa.DateTime(), nullable=True))
    # Existing rows: one visit per engine task, opened when its first row was created (what the
    # signatures counted before).
    op.execute("""
        UPDATE human_task SET visit_opened_at = (
            SELECT MIN(other.created_at) FROM human_task other
            WHERE other.instance_id = human_task.instance_id AND other.spiff_task_id = human_task.spiff_task_id)
    """)
    with op.batch_alter_table('human_task') as batch:
        batch.alter_column('visit_opened_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('visit_opened_at')
