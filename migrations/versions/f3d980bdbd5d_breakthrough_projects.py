"""breakthrough projects (standard §5.5): projects, task book versions, reports, checks, change requests, risk alerts

Revision ID: f3d980bdbd5d
Revises: a9d4e7b2c610
Create Date: 2026-12-05 01:15:52.573895

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3d980bdbd5d'
down_revision = 'a9d4e7b2c610'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_number_counter',
    sa.Column('chain', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('chain', 'year')
    )
    op.create_table('breakthrough_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('chain', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('lead_unit_name', sa.String(length=200), nullable=False),
    sa.Column('participating_units', sa.JSON(), nullable=False),
    sa.Column('expected_results', sa.Text(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('risk_level', sa.String(length=10), nullable=False),
    sa.Column('task_book_version', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortium.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['proposer_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('breakthrough_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breakthrough_project_chain'), ['chain'], unique=False)
        batch_op.create_index(batch_op.f('ix_breakthrough_project_consortium_id'), ['consortium_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_breakthrough_project_direction'), ['direction'], unique=False)
        batch_op.create_index(batch_op.f('ix_breakthrough_project_lead_unit_name'), ['lead_unit_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_breakthrough_project_risk_level'), ['risk_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_breakthrough_project_status'), ['status'], unique=False)

    op.create_table('project_change_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('resulting_version', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['breakthrough_project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'seq')
    )
    with op.batch_alter_table('project_change_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_change_request_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_change_request_status'), ['status'], unique=False)

    op.create_table('project_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('rectification_deadline', sa.Date(), nullable=True),
    sa.Column('materials', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['breakthrough_project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('project_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_check_project_id'), ['project_id'], unique=False)

    op.create_table('project_problem',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['quality_problem.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['breakthrough_project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'problem_id')
    )
    with op.batch_alter_table('project_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_problem_problem_id'), ['problem_id'], unique=False)

    op.create_table('project_progress_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('task_book_version', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['breakthrough_project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'period')
    )
    with op.batch_alter_table('project_progress_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_progress_report_project_id'), ['project_id'], unique=False)

    op.create_table('risk_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=24), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('open_key', sa.String(length=70), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['breakthrough_project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'open_key')
    )
    with op.batch_alter_table('risk_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_alert_opened_at'), ['opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_alert_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_alert_rule'), ['rule'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_alert_severity'), ['severity'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_alert_status'), ['status'], unique=False)

    op.create_table('risk_alert_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['alert_id'], ['risk_alert.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('risk_alert_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_alert_event_alert_id'), ['alert_id'], unique=False)

    op.create_table('task_book_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('signatures', sa.JSON(), nullable=False),
    sa.Column('change_request_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.Column('frozen_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['change_request_id'], ['project_change_request.id'], ),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['breakthrough_project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'version')
    )
    with op.batch_alter_table('task_book_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_book_version_project_id'), ['project_id'], unique=False)



def downgrade():
    with op.batch_alter_table('task_book_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_book_version_project_id'))

    op.drop_table('task_book_version')
    with op.batch_alter_table('risk_alert_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_alert_event_alert_id'))

    op.drop_table('risk_alert_event')
    with op.batch_alter_table('risk_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_alert_status'))
        batch_op.drop_index(batch_op.f('ix_risk_alert_severity'))
        batch_op.drop_index(batch_op.f('ix_risk_alert_rule'))
        batch_op.drop_index(batch_op.f('ix_risk_alert_project_id'))
        batch_op.drop_index(batch_op.f('ix_risk_alert_opened_at'))

    op.drop_table('risk_alert')
    with op.batch_alter_table('project_progress_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_progress_report_project_id'))

    op.drop_table('project_progress_report')
    with op.batch_alter_table('project_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_problem_problem_id'))

    op.drop_table('project_problem')
    with op.batch_alter_table('project_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_check_project_id'))

    op.drop_table('project_check')
    with op.batch_alter_table('project_change_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_change_request_status'))
        batch_op.drop_index(batch_op.f('ix_project_change_request_project_id'))

    op.drop_table('project_change_request')
    with op.batch_alter_table('breakthrough_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breakthrough_project_status'))
        batch_op.drop_index(batch_op.f('ix_breakthrough_project_risk_level'))
        batch_op.drop_index(batch_op.f('ix_breakthrough_project_lead_unit_name'))
        batch_op.drop_index(batch_op.f('ix_breakthrough_project_direction'))
        batch_op.drop_index(batch_op.f('ix_breakthrough_project_consortium_id'))
        batch_op.drop_index(batch_op.f('ix_breakthrough_project_chain'))

    op.drop_table('breakthrough_project')
    op.drop_table('project_number_counter')
