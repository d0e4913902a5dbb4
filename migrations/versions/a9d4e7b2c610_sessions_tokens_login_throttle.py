"""session generations, API tokens with expiry and revocation, login failures for throttling

Revision ID: a9d4e7b2c610
Revises: e2f4c6a8b901
Create Date: 2026-12-05 10:00:00

"""
from datetime import datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9d4e7b2c610'
down_revision = 'e2f4c6a8b901'
branch_labels = None
depends_on = None

MIGRATED_TOKEN_DAYS = 90      # a token issued before expiry existed gets the default lifetime from now


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_at'), ['at'], unique=False)
        batch_op.create_index('ix_login_failure_username_at', ['username', 'at'], unique=False)
        batch_op.create_index('ix_login_failure_ip_at', ['ip', 'at'], unique=False)

    # the one token each user had becomes a row of its own, valid for the default lifetime from now
    now = datetime.utcnow().replace(microsecond=0)
    op.execute(sa.text(
        "INSERT INTO api_token (user_id, token_hash, label, created_at, expires_at) "
        "SELECT id, api_token_hash, 'migrated', :now, :expires FROM user_account WHERE api_token_hash IS NOT NULL"
    ).bindparams(now=now, expires=now + timedelta(days=MIGRATED_TOKEN_DAYS)))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('api_token_hash')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_hash', sa.String(length=64), nullable=True))
        batch_op.drop_column('session_generation')
    # each user's newest live token goes back into the single column
    op.execute(sa.text(
        "UPDATE user_account SET api_token_hash = (SELECT t.token_hash FROM api_token t WHERE t.user_id = "
        "user_account.id AND t.revoked_at IS NULL ORDER BY t.created_at DESC, t.id DESC LIMIT 1)"))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_user_account_api_token_hash', ['api_token_hash'])
    op.drop_table('login_failure')
    op.drop_table('api_token')
