"""the inbox answers who and why: the applicant of each case (copied onto its inbox rows) and
whether a row arrived because the case was returned

Revision ID: c8e1f4a2d593
Revises: b6c2e8d4f017
Create Date: 2026-12-05 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8e1f4a2d593'
down_revision = 'b6c2e8d4f017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_instance') as batch:
        batch.add_column(sa.Column('applicant', sa.String(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('applicant', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('returned', sa.Boolean(), nullable=False, server_default=sa.false()))
    # existing cases: the initiator's unit, else their name
    op.execute("""
        UPDATE process_instance SET applicant = COALESCE((
            SELECT COALESCE(NULLIF(unit.name, ''), user_account.display_name) FROM user_account
            LEFT JOIN unit ON unit.id = user_account.unit_id WHERE user_account.id = process_instance.started_by_id), '')
    """)
    op.execute("""
        UPDATE human_task SET applicant = (
            SELECT process_instance.applicant FROM process_instance WHERE process_instance.id = human_task.instance_id)
    """)


def downgrade():
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('returned')
        batch.drop_column('applicant')
    with op.batch_alter_table('process_instance') as batch:
        batch.drop_column('applicant')
