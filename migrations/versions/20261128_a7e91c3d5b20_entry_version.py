"""entries get a version column (optimistic locking of the proposal form)

Revision ID: a7e91c3d5b20
Revises: e80344355eb9
Create Date: 2026-11-28 22:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7e91c3d5b20"
down_revision = "e80344355eb9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version_id", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("version_id")
