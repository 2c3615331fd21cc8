"""`flask db upgrade` builds exactly the schema the models describe, from one baseline, and
downgrades cleanly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from competition.audit import chain as audit_chain
from competition.audit import services as audit
from competition.audit.models import AuditHead
from competition.db import db


def _empty_database():
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _schema_back():
    """Leave the schema the other tests expect: on PostgreSQL in the worker's database (kept from
    test to test); a SQLite file is replaced by the next test's copy of the schema anyway."""
    db.session.remove()
    if db.engine.dialect.name != "sqlite":
        _empty_database()
        db.create_all()


def _procrastinate(change) -> bool:
    obj = change[1] if isinstance(change, tuple) and len(change) > 1 else None
    table = getattr(obj, "table", None)  # an index's table; a table is its own
    return str(getattr(table if table is not None else obj, "name", "")).startswith("procrastinate")


def test_migrations_have_one_head_and_one_baseline(app):
    config = app.extensions["migrate"].migrate.get_config()
    scripts = ScriptDirectory.from_config(config)
    assert len(scripts.get_heads()) == 1
    # One root, the baseline; migrations written since chain onto it (walk_revisions goes
    # from the head down, so every revision is on that one line).
    roots = [s.revision for s in scripts.walk_revisions() if s.down_revision is None]
    assert roots == ["b50c892664c0"]


def test_upgrade_matches_models_and_downgrade_empties(app):
    _empty_database()
    try:
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "render_as_batch": True}
                ),
                db.metadata,
            )
        # procrastinate's own tables (PostgreSQL only) are its schema, not our models'
        diff = [d for d in diff if not _procrastinate(d)]
        assert diff == []
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
    finally:
        _schema_back()


def test_upgraded_database_starts_the_audit_chain(app):
    """The baseline seeds the one row writers lock on; the first record chains from it."""
    _empty_database()
    try:
        upgrade()
        head = db.session.get(AuditHead, 1)
        assert (head.last_hash, head.count) == (audit_chain.GENESIS, 0)
        audit.record("login_failed", "user", "panitia")
        db.session.commit()
        assert db.session.scalar(select(AuditHead.count).where(AuditHead.id == 1)) == 1
        assert audit.verify_chain().ok
    finally:
        _schema_back()


def test_published_ranges_migration_round_trip(app):
    """The ranges of likely places stored with the published rows (5f0c2a9e7b13) go away with
    a downgrade to the revision before it and come back with the upgrade."""
    config = app.extensions["migrate"].migrate.get_config()
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_revision("5f0c2a9e7b13").down_revision == "d8596520edb3"
    ranges = {"rank_lo", "rank_hi", "tied_with_next"}

    def columns():
        return {c["name"] for c in inspect(db.engine).get_columns("results")}

    _empty_database()
    try:
        upgrade()
        assert ranges <= columns()
        downgrade(revision="d8596520edb3")
        assert not ranges & columns() and "rank" in columns()
        upgrade()
        assert ranges <= columns()
    finally:
        _schema_back()
