"""``flask backup`` and ``flask restore``: the whole instance (database and uploads) in one file.

The archive (``.tar.gz``) holds ``manifest.json`` (format, time, the schema revision, row counts),
``data/<table>.jsonl`` (one JSON object per row) and ``uploads/`` (every file of the app's storage,
``competition.storage``: the upload folder or the object store, by key).

Consistency: on SQLite the database is first copied with SQLite's online backup API (a
consistent snapshot, even while the app writes); on PostgreSQL every table is read in one
REPEATABLE READ transaction (the same snapshot ``pg_dump`` uses). The data are written
logically, not as a database file, so a backup restores into either backend: a city's SQLite
instance can move to the province's PostgreSQL server with ``flask restore``.

Restore needs an instance without data (no user yet): it brings the schema to the backup's
revision, inserts every table in foreign-key order, resets PostgreSQL's id sequences, puts the
files back into this instance's storage, then upgrades the schema to this version's head.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import tarfile
import tempfile
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Table,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine

from competition.accounts.models import User
from competition.db import db, utcnow
from competition.storage import check_key, content_type, get_storage

FORMAT = 1
BATCH = 5000


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)  # parents before children


def _revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _dump_tables(conn, tar: tarfile.TarFile, progress) -> dict[str, int]:
    counts = {}
    existing = set(inspect(conn).get_table_names())
    for table in _tables():
        progress(table.name)
        if table.name not in existing:
            continue
        buf = io.BytesIO()
        n = 0
        pk = list(table.primary_key.columns)
        result = conn.execute(select(table).order_by(*pk)).mappings()
        for row in result:
            buf.write(
                json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False).encode()
                + b"\n"
            )
            n += 1
        _add_bytes(tar, f"data/{table.name}.jsonl", buf.getvalue())
        counts[table.name] = n
    return counts


def _dump_files(tar: tarfile.TarFile) -> int:
    """Every stored file into ``uploads/<key>``, streamed from the storage; returns how many."""
    storage = get_storage()
    files = 0
    for key in sorted(storage.keys()):
        info = tarfile.TarInfo(f"uploads/{key}")
        info.size = storage.size(key)
        info.mtime = int(utcnow().timestamp())
        with storage.open(key) as f:
            tar.addfile(info, f)
        files += 1
    return files


def _restore_files(tar: tarfile.TarFile) -> None:
    """The archive's ``uploads/`` back into the storage. Keys are checked by the storage, so
    a crafted member name (``uploads/../x``) is refused, not followed."""
    storage = get_storage()
    for member in tar.getmembers():
        if not (member.isfile() and member.name.startswith("uploads/")):
            continue  # links, devices and folders are never restored
        key = member.name.removeprefix("uploads/")
        try:
            check_key(key)
        except ValueError as exc:
            raise RestoreError(f"Unsafe file name in the backup: {member.name!r}") from exc
        storage.put(key, tar.extractfile(member), content_type(key))


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _no_progress(step: str) -> None:
    pass


def steps() -> int:
    """How many times ``make_backup``/``restore_backup`` call ``progress`` (for a bar)."""
    return len(_tables()) + 1


def make_backup(path: str | Path, *, progress=_no_progress) -> dict:
    """Write the archive; returns the manifest. ``progress(step)`` is called before each
    table and before the uploads (``steps()`` calls in all)."""
    path = Path(path)
    engine: Engine = db.engine
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path, "w:gz") as tar:
        if engine.dialect.name == "sqlite":
            copy = Path(tmp) / "snapshot.sqlite3"
            raw = engine.raw_connection()
            try:
                dst = sqlite3.connect(copy)
                raw.driver_connection.backup(dst)
                dst.close()
            finally:
                raw.close()
            snap = create_engine(f"sqlite:///{copy}")
            with snap.connect() as conn:
                counts, revision = _dump_tables(conn, tar, progress), _revision(conn)
            snap.dispose()
        else:
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
                with conn.begin():
                    revision = _revision(conn)
                    counts = _dump_tables(conn, tar, progress)
        progress("uploads")
        files = _dump_files(tar)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "revision": revision,
            "dialect": engine.dialect.name,
            "tables": counts,
            "files": files,
        }
        _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
    return manifest


def _convert(table: Table, row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if key not in table.c:
            continue
        col_type = table.c[key].type
        impl = getattr(col_type, "impl", col_type)
        if value is not None and isinstance(impl, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(impl, Date):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(impl, LargeBinary):
            value = bytes.fromhex(value)  # written as hex by _plain
        out[key] = value
    return out


class RestoreError(click.ClickException):
    pass


def restore_backup(path: str | Path, *, progress=_no_progress) -> dict:
    """Restore the archive into this (empty) instance; returns the manifest.
    ``progress(step)`` is called before each table and before the uploads."""
    with tarfile.open(path, "r:gz") as tar:
        try:
            manifest = json.load(tar.extractfile("manifest.json"))
        except KeyError as exc:
            raise RestoreError("Not a Juri backup: manifest.json is missing.") from exc
        if manifest.get("format") != FORMAT:
            raise RestoreError(f"Unknown backup format {manifest.get('format')!r}.")
        engine = db.engine
        with engine.connect() as conn:
            has_users = (
                inspect(conn).has_table("users")
                and conn.execute(select(func.count()).select_from(User.__table__)).scalar()
            )
        if has_users:
            raise RestoreError(
                "This instance already has data (users exist). Restore into "
                "an empty database: a new DATABASE_URL, then flask restore."
            )
        upgrade(revision=manifest["revision"] or "head")
        tables = {t.name: t for t in _tables()}
        with engine.begin() as conn:
            for table in reversed(_tables()):  # rows made by migrations (e.g. audit head)
                if inspect(conn).has_table(table.name):
                    conn.execute(table.delete())
            for name in [t.name for t in _tables()]:
                progress(name)
                member = f"data/{name}.jsonl"
                if name not in manifest["tables"]:
                    continue
                table = tables[name]
                batch = []
                for line in tar.extractfile(member):
                    batch.append(_convert(table, json.loads(line)))
                    if len(batch) >= BATCH:
                        conn.execute(table.insert(), batch)
                        batch = []
                if batch:
                    conn.execute(table.insert(), batch)
            if engine.dialect.name == "postgresql":
                for table in _tables():
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and isinstance(pk[0].type, Integer):
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                                f"'{pk[0].name}'), COALESCE((SELECT MAX({pk[0].name}) FROM "
                                f"{table.name}), 0) + 1, false)"
                            )
                        )
        progress("uploads")
        _restore_files(tar)
    upgrade()
    return manifest


def _step(step: str | None) -> str:
    return step or ""


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False), required=False)
def backup_command(path: str | None) -> None:
    """Write the database and the uploads into one archive (default: instance/backups/)."""
    if path is None:
        folder = Path(current_app.instance_path) / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        path = str(folder / f"juri-{utcnow():%Y%m%d-%H%M%S}.tar.gz")
    with click.progressbar(
        length=steps(), label="Backup", item_show_func=_step, file=sys.stderr
    ) as bar:
        manifest = make_backup(path, progress=lambda step: bar.update(1, step))
    rows = sum(manifest["tables"].values())
    click.echo(
        f"Backup written to {path}: {rows} rows in {len(manifest['tables'])} tables, "
        f"{manifest['files']} files, schema {manifest['revision']}."
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_command(path: str) -> None:
    """Restore an archive made by ``flask backup`` into this empty instance."""
    with click.progressbar(
        length=steps(), label="Restore", item_show_func=_step, file=sys.stderr
    ) as bar:
        manifest = restore_backup(path, progress=lambda step: bar.update(1, step))
    rows = sum(manifest["tables"].values())
    click.echo(
        f"Restored {rows} rows and {manifest['files']} files from {path} "
        f"(made {manifest['created_at']} on {manifest['dialect']})."
    )


def register(app_cli: AppGroup) -> None:
    """Add ``flask backup`` and ``flask restore``."""
    app_cli.add_command(backup_command)
    app_cli.add_command(restore_command)
