"""merge issue-6 second round

Revision ID: 9809958b9fa2
Revises: 45d4638564fb, 8875e267d108
Create Date: 2026-11-28 21:25:11.497603

"""

# revision identifiers, used by Alembic.
revision = "9809958b9fa2"
down_revision = ("45d4638564fb", "8875e267d108")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
