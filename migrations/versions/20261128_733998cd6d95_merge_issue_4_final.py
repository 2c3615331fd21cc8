"""merge issue-4 final

Revision ID: 733998cd6d95
Revises: 6e8a0c2d4f59, e80344355eb9
Create Date: 2026-11-28 21:55:12.942632

"""

# revision identifiers, used by Alembic.
revision = "733998cd6d95"
down_revision = ("6e8a0c2d4f59", "e80344355eb9")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
