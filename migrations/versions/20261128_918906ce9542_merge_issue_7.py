"""merge issue-7

Revision ID: 918906ce9542
Revises: 733998cd6d95, a7e91c3d5b20
Create Date: 2026-11-28 22:08:21.824163

"""

# revision identifiers, used by Alembic.
revision = "918906ce9542"
down_revision = ("733998cd6d95", "a7e91c3d5b20")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
