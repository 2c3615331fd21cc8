"""merge stage weights and organisation regions

Revision ID: b50c892664c0
Revises: 2b4171921307, 7eece37dc1b8
Create Date: 2026-11-29 00:21:44.392096

"""

# revision identifiers, used by Alembic.
revision = "b50c892664c0"
down_revision = ("2b4171921307", "7eece37dc1b8")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
