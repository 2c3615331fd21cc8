"""published ranges of likely places

Each published row keeps the range of likely places and the tie with the next place that the
committee saw when publishing (issue 14), so the public page, the API and the OPD's feedback
show them without fitting anything. Nullable: publications written before have none.

Revision ID: 5f0c2a9e7b13
Revises: d8596520edb3
Create Date: 2026-12-04 12:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5f0c2a9e7b13"
down_revision = "d8596520edb3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rank_lo", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rank_hi", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tied_with_next", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_column("tied_with_next")
        batch_op.drop_column("rank_hi")
        batch_op.drop_column("rank_lo")
