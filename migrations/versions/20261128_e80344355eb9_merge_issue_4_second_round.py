"""merge issue-4 second round

Revision ID: e80344355eb9
Revises: 9809958b9fa2, f4b8d2e6a173
Create Date: 2026-11-28 21:32:13.529064

"""

# revision identifiers, used by Alembic.
revision = "e80344355eb9"
down_revision = ("9809958b9fa2", "f4b8d2e6a173")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
