"""definitions: the same content may be deployed again as a later version (an administrator's revert);
(key, content_hash) becomes a plain index

Revision ID: b3e8f1d7a402
Revises: a7c4e9d2b615
Create Date: 2026-12-06 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e8f1d7a402'
down_revision = 'a7c4e9d2b615'
branch_labels = None
depends_on = None

TABLES = ("process_definition", "decision_definition")
# SQLite keeps the initial schema's unique constraints unnamed: batch mode names them by this
# convention so that they can be dropped (Alembic's documented way for unnamed constraints)
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _hash_uniqueness(table):
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if constraint["column_names"] == ["key", "content_hash"]:
            return constraint["name"] or f"uq_{table}_key_content_hash"
    return None


def upgrade():
    for table in TABLES:
        name = _hash_uniqueness(table)
        if name is not None:
            with op.batch_alter_table(table, naming_convention=NAMING) as batch:
                batch.drop_constraint(name, type_="unique")
        op.create_index(f"ix_{table}_key_content_hash", table, ["key", "content_hash"], unique=False)


def downgrade():
    # refused by the database when a revert has deployed one content twice
    for table in TABLES:
        op.drop_index(f"ix_{table}_key_content_hash", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.create_unique_constraint(f"uq_{table}_key_content_hash", ["key", "content_hash"])
