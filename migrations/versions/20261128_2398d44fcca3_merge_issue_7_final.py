"""merge issue-7 final

Revision ID: 2398d44fcca3
Revises: 7bac8706f51d, b3d58f0e2c71
Create Date: 2026-11-28 22:26:50.141856

"""

# revision identifiers, used by Alembic.
revision = "2398d44fcca3"
down_revision = ("7bac8706f51d", "b3d58f0e2c71")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
