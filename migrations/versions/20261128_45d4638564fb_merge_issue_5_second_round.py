"""merge issue-5 second round

Revision ID: 45d4638564fb
Revises: b1c2d3e4f5a6, c662908a2423
Create Date: 2026-11-28 21:19:35.569780

"""

# revision identifiers, used by Alembic.
revision = "45d4638564fb"
down_revision = ("b1c2d3e4f5a6", "c662908a2423")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
