"""one-time passwords expire and must be changed

Revision ID: 202e7fdbdd81
Revises: 8be856d0abc8
Create Date: 2026-12-03 10:56:38.523065

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "202e7fdbdd81"
down_revision = "8be856d0abc8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("password_expires_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_expires_at")
        batch_op.drop_column("must_change_password")
