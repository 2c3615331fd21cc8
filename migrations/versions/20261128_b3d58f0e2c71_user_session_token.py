"""users get a session token (logout and deactivation end every session)

Revision ID: b3d58f0e2c71
Revises: a7e91c3d5b20
Create Date: 2026-11-28 22:10:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3d58f0e2c71"
down_revision = "a7e91c3d5b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_token", sa.String(length=64), server_default="", nullable=False)
        )
    # Every existing account gets its own token (sessions made before this upgrade end).
    conn = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16))
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_token")
