"""ranking cache shared by the workers

A stage's point ranking per method and its bootstrap, kept in the database by a digest of their
exact input (judging.analysis.shared_cache), so every worker of every server reads what one of
them computed. A cache: no foreign key, rows are pruned by age and count.

Revision ID: d8596520edb3
Revises: e88b64e2b51d
Create Date: 2026-12-03 18:05:30.579233

"""

import sqlalchemy as sa
from alembic import op

import competition.db

# revision identifiers, used by Alembic.
revision = "d8596520edb3"
down_revision = "e88b64e2b51d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ranking_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", competition.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking_cache")),
        sa.UniqueConstraint("digest", name=op.f("uq_ranking_cache_digest")),
    )
    with op.batch_alter_table("ranking_cache", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ranking_cache_stage_id"), ["stage_id"], unique=False)


def downgrade():
    with op.batch_alter_table("ranking_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ranking_cache_stage_id"))
    op.drop_table("ranking_cache")
