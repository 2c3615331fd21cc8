"""merge issue-5 and issue-6 schemas

Revision ID: 33f7b7098265
Revises: 0097c55efd7d, aae929f108b3
Create Date: 2026-11-28 20:57:25.733023

"""

# revision identifiers, used by Alembic.
revision = "33f7b7098265"
down_revision = ("0097c55efd7d", "aae929f108b3")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
