"""`flask db upgrade` builds exactly the schema the models describe, and downgrades cleanly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from competition.db import db


def test_upgrade_matches_models_and_downgrade_empties(make_app):
    app = make_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "render_as_batch": True}
                ),
                db.metadata,
            )
        assert diff == []
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.create_all()  # leave the schema the other tests expect


def test_results_published_before_publications_become_version_1(make_app):
    """Data migration 8875e267d108: a stage published by the foundation keeps its results and
    its certificate, whose older random number still verifies."""
    app = make_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="371844bfa70d")
        now = "2026-11-20 10:00:00"
        with db.engine.begin() as conn:
            for sql in (
                "INSERT INTO organisations (id, name) VALUES (1, 'Dinas Kesehatan')",
                "INSERT INTO users (id, username, name, password_hash, role, is_enabled, "
                f"created_at) VALUES (1, 'u', 'U', 'x', 'opd', true, '{now}')",
                "INSERT INTO rounds (id, name, slug, description, status, submission_opens_at, "
                f"submission_closes_at, results_published_at, created_at) VALUES (1, 'R 2025', "
                f"'r-2025', '', 'closed', '{now}', '{now}', '{now}', '{now}')",
                "INSERT INTO categories (id, round_id, name, description) "
                "VALUES (1, 1, 'Dinas', '')",
                "INSERT INTO stages (id, round_id, name, position, opens_at, closes_at, "
                "scale_min, scale_max, method, winners_per_category, published_at) VALUES "
                f"(1, 1, 'Desk', 0, '{now}', '{now}', 1, 10, 'bias_scale', 3, '{now}')",
                "INSERT INTO entries (id, round_id, category_id, organisation_id, title, "
                "summary, problem, novelty, implementation, impact, status, created_at, "
                f"updated_at) VALUES (1, 1, 1, 1, 'Posyandu Digital', '', '', '', '', '', "
                f"'submitted', '{now}', '{now}')",
                "INSERT INTO results (id, stage_id, entry_id, category_id, rank, score, "
                f"raw_score, n_judges, published_at) VALUES (1, 1, 1, 1, 1, 8.5, 8.1, 3, '{now}')",
                "INSERT INTO certificates (id, code, result_id, award, issued_at) VALUES "
                f"(1, '7F3A-91C2-0B4D-E6F8-A1B2', 1, 'rank-1', '{now}')",
            ):
                conn.execute(text(sql))
        upgrade()
        client = app.test_client()
        page = client.get("/results/r-2025")
        assert page.status_code == 200 and "Posyandu Digital" in page.text
        verify = client.get("/verify/7f3a-91c2-0b4d-e6f8-a1b2")
        assert verify.status_code == 200 and "Dinas Kesehatan" in verify.text
        assert "Terbaik I" in verify.text
        db.session.remove()
        downgrade(revision="base")
        db.create_all()
