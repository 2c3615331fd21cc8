"""jobs heartbeat for the in-process runner's recovery of stopped processes

Revision ID: e88b64e2b51d
Revises: 230abf749d85
Create Date: 2026-12-03 15:13:55.444487

"""

import sqlalchemy as sa
from alembic import op

import competition.db

# revision identifiers, used by Alembic.
revision = "e88b64e2b51d"
down_revision = "230abf749d85"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("heartbeat_at", competition.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
