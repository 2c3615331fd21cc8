"""flask backup / flask restore: a backup restored into an empty instance has every entry,
sheet, publication, audit record and file; restoring over data is refused."""

import tarfile
from pathlib import Path

from sqlalchemy import LargeBinary, func, select, text

from competition.accounts.models import User
from competition.audit import models
from competition.audit import services as audit
from competition.backup import make_backup, restore_backup, steps
from competition.db import db
from competition.entries.models import Attachment, Entry
from judging.results import publication as publication_service
from judging.results.models import Publication
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreSheet
from tests import factories


def _counts():
    return {
        m.__name__: db.session.scalar(select(func.count()).select_from(m))
        for m in (User, Entry, ScoreSheet, Publication, Attachment, models.AuditRecord)
    }


def _fill(committee, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    other = factories.make_entry(open_round, opd, title="SI-CEPAT")
    factories.make_attachment(entry)
    for e in (entry, other):
        a = factories.make_assignment(stage, e, judge)
        sheet_service.save_sheet(
            assignment=a,
            inputs={
                c.id: sheet_service.CriterionInput(8.0, "baik")
                for c in rubric_service.list_criteria(stage)
            },
            submit=True,
            actor=judge,
            now=stage.opens_at,
        )
    db.session.flush()
    publication_service.publish_results(stage=stage, actor=committee, now=stage.closes_at)
    db.session.commit()


def _binary_rows() -> dict[tuple[str, int], bytes]:
    """Every value of every bytes (LargeBinary) column, by table and primary key."""
    rows = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(getattr(column.type, "impl", column.type), LargeBinary):
                pk = next(iter(table.primary_key.columns))
                for key, value in db.session.execute(select(pk, column)):
                    rows[(f"{table.name}.{column.name}", key)] = value
    return rows


def test_backup_restores_into_an_empty_instance(
    app, make_app, tmp_path, committee, opd, judge, open_round
):
    _fill(committee, opd, judge, open_round)
    before = _counts()
    assert before["Publication"] == 1 and before["ScoreSheet"] == 2
    binary = _binary_rows()
    assert binary, "the publication left no binary (cache) row to round-trip"
    archive = tmp_path / "juri.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    stored = [p.name for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]

    # a new, empty instance (always SQLite: the archive is logical, so a PostgreSQL backup
    # restores here too)
    fresh = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/fresh.sqlite3",
        UPLOAD_FOLDER=str(tmp_path / "fresh-uploads"),
    )
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert _counts() == before
        assert _binary_rows() == binary  # bytes columns come back byte for byte
        assert db.session.scalar(select(Entry.title).where(Entry.title == "SI-CEPAT"))
        assert audit.verify_chain().ok  # the trail survives intact
        restored = [p.name for p in (tmp_path / "fresh-uploads").rglob("*") if p.is_file()]
        assert sorted(restored) == sorted(stored) and stored
        # the restored instance keeps working: new rows get new ids
        factories.make_user(role="judge", username="juri-baru")
        db.session.commit()
        # and a second restore is refused: it has data now
        result = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code != 0 and "already has data" in result.output
        db.session.remove()


def test_restore_into_the_same_backend(app, tmp_path, committee, opd, judge, open_round):
    """Round trip on the test database itself (PostgreSQL in CI's second run: id sequences)."""
    _fill(committee, opd, judge, open_round)
    before = _counts()
    archive = tmp_path / "juri.tar.gz"
    seen = []
    make_backup(archive, progress=seen.append)  # what the CLI's progress bar is fed
    assert len(seen) == steps() and seen[-1] == "uploads" and "entries" in seen
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    try:
        seen.clear()
        restore_backup(archive, progress=seen.append)
        assert len(seen) == steps() and seen[-1] == "uploads"
        assert _counts() == before
        user = factories.make_user(role="judge", username="juri-setelah-pulih")
        db.session.commit()
        assert user.id > max(db.session.scalars(select(User.id).where(User.id != user.id)))
    finally:
        db.session.remove()
        if db.engine.dialect.name != "sqlite":  # SQLite: the next test gets a new file
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()  # leave the schema the other tests expect


def test_not_a_backup_is_refused(app, tmp_path):
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz"):
        pass
    result = app.test_cli_runner().invoke(args=["restore", str(bad)])
    assert result.exit_code != 0 and "manifest.json" in result.output
