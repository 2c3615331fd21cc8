"""merge issue-8

Revision ID: 7bac8706f51d
Revises: 89b0422de915, 918906ce9542
Create Date: 2026-11-28 22:18:32.662428

"""

# revision identifiers, used by Alembic.
revision = "7bac8706f51d"
down_revision = ("89b0422de915", "918906ce9542")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
