"""merge issue-4 schema

Revision ID: a6ed9ca93b8f
Revises: 33f7b7098265, 9e4b1d7f2a36
Create Date: 2026-11-28 20:59:47.722763

"""

# revision identifiers, used by Alembic.
revision = "a6ed9ca93b8f"
down_revision = ("33f7b7098265", "9e4b1d7f2a36")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
