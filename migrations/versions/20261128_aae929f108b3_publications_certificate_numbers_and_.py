"""publications, certificate numbers and award settings

Revision ID: aae929f108b3
Revises: 371844bfa70d
Create Date: 2026-11-28 20:44:38.401292

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "aae929f108b3"
down_revision = "371844bfa70d"
branch_labels = None
depends_on = None


def upgrade():
    # Publications (frozen versions), certificate numbers and revocation, award levels.
    op.create_table(
        "award_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("up_to_rank", sa.Integer(), nullable=False),
        sa.Column("prize", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_award_levels_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_levels")),
    )
    with op.batch_alter_table("award_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_levels_round_id"), ["round_id"], unique=False)

    op.create_table(
        "award_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("style", sa.String(length=20), server_default="ranked", nullable=False),
        sa.Column("announcement", sa.Text(), server_default="", nullable=False),
        sa.Column("government", sa.String(length=200), server_default="", nullable=False),
        sa.Column("place", sa.String(length=100), server_default="", nullable=False),
        sa.Column("logo", sa.String(length=200), nullable=True),
        sa.Column("signer1_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("signer1_title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("signer1_image", sa.String(length=200), nullable=True),
        sa.Column("signer2_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("signer2_title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("signer2_image", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_award_settings_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_settings")),
        sa.UniqueConstraint("round_id", name=op.f("uq_award_settings_round_id")),
    )
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("scores_digest", sa.String(length=64), nullable=False),
        sa.Column("n_sheets", sa.Integer(), nullable=False),
        sa.Column("style", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_publications_published_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["stages.id"], name=op.f("fk_publications_stage_id_stages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("stage_id", "version", name=op.f("uq_publications_stage_id")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_stage_id"), ["stage_id"], unique=False)

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="award", nullable=False)
        )
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("holder", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("title", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("category", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("revoked_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.alter_column("result_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint(batch_op.f("uq_certificates_result_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_certificates_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_result_id"), ["result_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_entry_id_entries"), "entries", ["entry_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_revoked_by_id_users"), "users", ["revoked_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_round_id_rounds"), "rounds", ["round_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_replaces_id_certificates"),
            "certificates",
            ["replaces_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_user_id_users"), "users", ["user_id"], ["id"]
        )

    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publication_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("award", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("prize", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_results_stage_id"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_results_publication_id"), ["publication_id"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_results_publication_id"), ["publication_id", "entry_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_results_publication_id_publications"),
            "publications",
            ["publication_id"],
            ["id"],
        )

    # ### end Alembic commands ###


def downgrade():
    # Publications (frozen versions), certificate numbers and revocation, award levels.
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_results_publication_id_publications"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_results_publication_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_results_publication_id"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_results_stage_id"), ["stage_id", "entry_id"]
        )
        batch_op.drop_column("prize")
        batch_op.drop_column("award")
        batch_op.drop_column("publication_id")

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_certificates_user_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_certificates_replaces_id_certificates"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_certificates_round_id_rounds"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_certificates_revoked_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_certificates_entry_id_entries"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_certificates_user_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_round_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_result_id"))
        batch_op.drop_index(batch_op.f("ix_certificates_entry_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_certificates_result_id"), ["result_id"])
        batch_op.alter_column("result_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("replaces_id")
        batch_op.drop_column("revoked_by_id")
        batch_op.drop_column("revoked_reason")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("category")
        batch_op.drop_column("title")
        batch_op.drop_column("holder")
        batch_op.drop_column("user_id")
        batch_op.drop_column("entry_id")
        batch_op.drop_column("round_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_stage_id"))

    op.drop_table("publications")
    op.drop_table("award_settings")
    with op.batch_alter_table("award_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_levels_round_id"))

    op.drop_table("award_levels")
    # ### end Alembic commands ###
