"""Region of organisations: kabupaten/kota and province, to see the spread of finalists.

Revision ID: 2b4171921307
Revises: 0ce582956abf
Create Date: 2026-11-28 23:48:56.266131

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2b4171921307"
down_revision = "0ce582956abf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("region", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("province", sa.String(length=100), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("province")
        batch_op.drop_column("region")
