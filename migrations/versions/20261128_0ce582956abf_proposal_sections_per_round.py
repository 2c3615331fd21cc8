"""Proposal sections per round: the committee's labels, switched-off and own sections
(Round.section_settings), and the texts of the own sections (Entry.custom_texts).

Revision ID: 0ce582956abf
Revises: 2398d44fcca3
Create Date: 2026-11-28 23:39:09.729679

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0ce582956abf"
down_revision = "2398d44fcca3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("custom_texts", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("section_settings", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("section_settings")

    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("custom_texts")
