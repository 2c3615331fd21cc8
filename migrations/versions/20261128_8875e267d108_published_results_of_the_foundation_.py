"""published results of the foundation become version 1

Data only: results published before publications existed are attached to a version-1
publication of their stage (digest unknown: empty), and their certificates get the copy of
what they print (holder, title, category, award) and their round and entry. Their numbers
keep the older random format, which ``competition.awards.find_certificate`` still accepts.

Revision ID: 8875e267d108
Revises: aae929f108b3
Create Date: 2026-11-28 21:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8875e267d108"
down_revision = "aae929f108b3"
branch_labels = None
depends_on = None

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def upgrade():
    conn = op.get_bind()
    stages = (
        conn.execute(sa.text("SELECT DISTINCT stage_id FROM results WHERE publication_id IS NULL"))
        .scalars()
        .all()
    )
    for stage_id in stages:
        method, published_at = conn.execute(
            sa.text(
                "SELECT s.method, COALESCE(s.published_at, MAX(r.published_at)) FROM stages s "
                "JOIN results r ON r.stage_id = s.id WHERE s.id = :s GROUP BY s.id, s.method, "
                "s.published_at"
            ),
            {"s": stage_id},
        ).one()
        conn.execute(
            sa.text(
                "INSERT INTO publications (stage_id, version, method, params, scores_digest, "
                "n_sheets, style, reason, published_at) VALUES (:s, 1, :m, '{}', '', 0, 'ranked', "
                "'', :at)"
            ),
            {"s": stage_id, "m": method or "", "at": published_at},
        )
        pub_id = conn.execute(
            sa.text("SELECT id FROM publications WHERE stage_id = :s AND version = 1"),
            {"s": stage_id},
        ).scalar()
        conn.execute(
            sa.text(
                "UPDATE results SET publication_id = :p WHERE stage_id = :s "
                "AND publication_id IS NULL"
            ),
            {"p": pub_id, "s": stage_id},
        )
    legacy = conn.execute(
        sa.text(
            "SELECT c.id, r.entry_id, s.round_id, o.name, e.title, cat.name, r.rank "
            "FROM certificates c JOIN results r ON r.id = c.result_id "
            "JOIN stages s ON s.id = r.stage_id JOIN entries e ON e.id = r.entry_id "
            "JOIN organisations o ON o.id = e.organisation_id "
            "JOIN categories cat ON cat.id = r.category_id WHERE c.entry_id IS NULL"
        )
    ).all()
    for cid, entry_id, round_id, holder, title, category, rank in legacy:
        conn.execute(
            sa.text(
                "UPDATE certificates SET entry_id = :e, round_id = :r, holder = :h, title = :t, "
                "category = :c, award = :a WHERE id = :id"
            ),
            {
                "e": entry_id,
                "r": round_id,
                "h": holder,
                "t": title,
                "c": category,
                "a": f"Terbaik {ROMAN.get(rank, rank)}",
                "id": cid,
            },
        )


def downgrade():
    # The schema downgrade of the previous revision drops what this one filled in.
    pass
