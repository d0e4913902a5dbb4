"""what each periodic review decided for each problem

Revision ID: e2f4c6a8b901
Revises: d7a3b9e2c418
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2f4c6a8b901'
down_revision = 'd7a3b9e2c418'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'problem_review_outcome',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('problem_id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('grade_before', sa.String(length=20), nullable=True),
        sa.Column('grade_after', sa.String(length=20), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
        sa.ForeignKeyConstraint(['problem_id'], ['quality_problem.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('problem_review_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_review_outcome_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_review_outcome_problem_id'), ['problem_id'], unique=False)


def downgrade():
    with op.batch_alter_table('problem_review_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_review_outcome_problem_id'))
        batch_op.drop_index(batch_op.f('ix_problem_review_outcome_instance_id'))
    op.drop_table('problem_review_outcome')
