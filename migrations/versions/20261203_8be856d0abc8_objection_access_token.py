"""objection access token: the objector's private link to follow the committee's decision

Revision ID: 8be856d0abc8
Revises: b50c892664c0
Create Date: 2026-12-03 09:40:20.847101

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8be856d0abc8"
down_revision = "b50c892664c0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_objections_access_token"), ["access_token"]
        )


def downgrade():
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_objections_access_token"), type_="unique")
        batch_op.drop_column("access_token")
