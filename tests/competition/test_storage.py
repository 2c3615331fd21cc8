"""The file store: one contract for both backends (the local folder, and an S3 bucket on a
real S3-protocol server, moto's, listening on loopback for these tests), attachments uploaded
and downloaded through the app on S3, and ``flask storage migrate``."""

from __future__ import annotations

import io
import socket
import tarfile
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from competition.db import db
from competition.entries.models import Attachment
from competition.storage import LocalStorage, S3Storage, check_key, from_url, get_storage
from tests import factories
from tests.competition.entries.test_entries import _form

PDF = b"%PDF-1.4\n" + b"x" * 100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """An S3-protocol server on 127.0.0.1 for this module; yields its endpoint URL."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_url(s3_server, monkeypatch, request):
    """A fresh bucket on the server; returns its JURI_STORAGE_URL."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    bucket = "juri-" + request.node.name.lower().replace("_", "-")[:40].strip("-[]")
    bucket = "".join(c if c.isalnum() or c == "-" else "-" for c in bucket)
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/juri?endpoint={s3_server}&region=us-east-1"


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    return from_url(request.getfixturevalue("s3_url"), str(tmp_path / "unused"))


def _fetch(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read(), r.headers


def test_from_url_chooses_the_backend(tmp_path):
    assert isinstance(from_url(None, str(tmp_path)), LocalStorage)
    assert from_url("", str(tmp_path)).root == tmp_path
    assert from_url(f"file://{tmp_path}/x", "ignored").root == tmp_path / "x"
    s3 = from_url("s3://b/p/q?endpoint=http://127.0.0.1:9&region=eu-west-1&proxy=1", "")
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix, s3.endpoint, s3.region, s3.proxy) == (
        "b",
        "p/q",
        "http://127.0.0.1:9",
        "eu-west-1",
        True,
    )
    with pytest.raises(ValueError):
        from_url("ftp://host/x", "")


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../x", "a/../../x", "a\\b", "a//b", "."])
def test_check_key_refuses_escaping_keys(key):
    with pytest.raises(ValueError):
        check_key(key)


def test_storage_contract(store):
    assert not store.exists("a/b.pdf")
    with pytest.raises(FileNotFoundError):
        store.size("a/b.pdf")
    with pytest.raises(FileNotFoundError):
        store.open("a/b.pdf")
    store.put("a/b.pdf", PDF, "application/pdf")
    store.put("c.bin", io.BytesIO(b"streamed" * 1000), "application/octet-stream")
    assert store.exists("a/b.pdf") and store.size("a/b.pdf") == len(PDF)
    with store.open("a/b.pdf") as f:
        assert f.read() == PDF
    with store.open("c.bin") as f:
        assert f.read() == b"streamed" * 1000
    assert sorted(store.keys()) == ["a/b.pdf", "c.bin"]
    assert list(store.keys("a/")) == ["a/b.pdf"] and list(store.keys("c")) == ["c.bin"]
    assert list(store.keys("nothing/here/")) == []
    store.put("a/b.pdf", b"%PDF-2", "application/pdf")  # overwrite
    assert store.size("a/b.pdf") == 6
    store.delete("a/b.pdf")
    store.delete("a/b.pdf")  # deleting a missing key does nothing
    assert not store.exists("a/b.pdf") and list(store.keys()) == ["c.bin"]
    store.check()
    assert store.location("c.bin").endswith("c.bin")
    assert store.create("lock", b"1", "text/plain") is True
    assert store.create("lock", b"2", "text/plain") is False  # exclusive: a lock
    with store.open("lock") as f:
        assert f.read() == b"1"
    with pytest.raises(ValueError):
        store.put("../escape", b"x", "text/plain")


def test_storage_send(store, app):
    store.put("f.pdf", PDF, "application/pdf")
    with app.test_request_context():
        response = store.send("f.pdf", "application/pdf", "Proposal.pdf")
        if isinstance(store, LocalStorage):
            response.direct_passthrough = False
            assert response.status_code == 200 and response.get_data() == PDF
            disposition = response.headers["Content-Disposition"]
            response.close()
        else:  # a presigned URL on the store, which serves the bytes with the name
            assert response.status_code == 302
            body, headers = _fetch(response.headers["Location"])
            assert body == PDF and headers["Content-Type"] == "application/pdf"
            disposition = headers["Content-Disposition"]
        assert disposition == "attachment; filename=Proposal.pdf"
        with pytest.raises(FileNotFoundError):
            store.send("missing.pdf", "application/pdf", "x.pdf")


def test_s3_send_streams_through_the_app_when_configured(s3_url, app):
    store = from_url(s3_url + "&proxy=true", "")
    store.put("photo.png", b"\x89PNG\r\n\x1a\n" + b"p" * 70000, "image/png")
    with app.test_request_context():
        response = store.send("photo.png", "image/png", "foto.png", as_attachment=False)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == "inline; filename=foto.png"
        assert response.headers["Content-Length"] == "70008"
        assert b"".join(response.response) == b"\x89PNG\r\n\x1a\n" + b"p" * 70000
        response.close()


def test_s3_check_fails_for_a_missing_bucket(s3_url):
    store = from_url(s3_url.replace("s3://juri-", "s3://nope-"), "")
    with pytest.raises(Exception, match="404|NoSuchBucket|Not Found"):
        store.check()


@pytest.fixture
def app(make_app, s3_url):
    """In this module the app keeps its files on S3 (the usual fixtures build on it)."""
    app = make_app(STORAGE_URL=s3_url)
    with app.app_context():
        yield app


def test_attachment_upload_and_download_on_s3(app, login, opd, other_opd, open_round, tmp_path):
    client = login(opd)
    r = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, save="1", data_files=[(io.BytesIO(PDF), "Data dukung.pdf")]),
    )
    assert r.status_code == 302
    attachment = db.session.scalar(select(Attachment).where(Attachment.kind == "data"))
    assert isinstance(get_storage(), S3Storage)
    assert get_storage().exists(attachment.stored_name)
    assert not (tmp_path / "uploads").exists()  # nothing on local disk
    r = client.get(f"/opd/attachments/{attachment.id}")
    assert r.status_code == 302 and r.headers["Cache-Control"] == "no-store"
    body, headers = _fetch(r.headers["Location"])
    assert body == PDF and headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == 'attachment; filename="Data dukung.pdf"'
    # Another OPD gets a 404, not a URL.
    assert login(other_opd).get(f"/opd/attachments/{attachment.id}").status_code == 404
    # Deleting it removes the object; the SK decree stays.
    assert client.post(f"/opd/attachments/{attachment.id}/delete").status_code == 302
    assert not get_storage().exists(attachment.stored_name)
    assert len(list(get_storage().keys())) == 1


def test_storage_migrate_copies_the_folder_once(app):
    folder = LocalStorage(app.config["UPLOAD_FOLDER"])
    folder.put("1-a.pdf", PDF, "application/pdf")
    folder.put("certificates/round1-logo-x.png", b"\x89PNG\r\n\x1a\nlogo", "image/png")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["storage", "migrate"])
    assert result.exit_code == 0, result.output
    assert "2 files copied" in result.output and "0 already there" in result.output
    store = get_storage()
    assert sorted(store.keys()) == ["1-a.pdf", "certificates/round1-logo-x.png"]
    with store.open("certificates/round1-logo-x.png") as f:
        assert f.read() == b"\x89PNG\r\n\x1a\nlogo"
    folder.put("2-b.pdf", PDF, "application/pdf")  # a file added since: only it is copied
    result = runner.invoke(args=["storage", "migrate"])
    assert "1 files copied" in result.output and "2 already there" in result.output
    assert folder.exists("1-a.pdf")  # the folder is left as it was


def test_storage_migrate_refuses_the_folder_onto_itself(make_app):
    local = make_app()  # files in the upload folder: there is nowhere to migrate to
    with local.app_context():
        result = local.test_cli_runner().invoke(args=["storage", "migrate"])
    assert result.exit_code != 0 and "JURI_STORAGE_URL" in result.output


def test_certificate_layout_and_zip_on_s3(app, login, committee, open_round, monkeypatch):
    import zipfile

    from judging.demo.publishing import demo_logo
    from judging.results import awards, certificates
    from judging.results import zips as bulk
    from judging.results.models import Certificate

    settings = certificates.save_layout(
        round_=open_round,
        government="Pemerintah Kota Palembang",
        place="Palembang",
        signers=[("Dr. Siti Rahma", "Sekretaris Daerah")],
        images={"logo": demo_logo()},
        actor=committee,
    )
    assert get_storage().exists(settings.logo)  # the image went to the bucket
    assert certificates.Layout.of(awards.settings_of(open_round)).logo[:3] == b"\xff\xd8\xff"
    for i in range(5):
        db.session.add(
            Certificate(
                code=f"TEST-{i:04d}",
                kind="participation",
                round=open_round,
                holder=f"Dinas {i}",
                title=f"Inovasi {i}",
                award="Peserta",
                issued_at=open_round.submission_opens_at,
            )
        )
    db.session.commit()
    base = f"/committee/rounds/{open_round.id}/results/zip"
    client = login(committee)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    assert client.post(f"{base}/start").status_code == 302  # the job runs inline in tests
    job = bulk.latest_job(open_round.id)
    assert (job.state, job.progress_done, job.progress_total) == ("done", 5, 5)
    # One object per job, under a key derived from the job: a retry rewrites its own.
    assert list(get_storage().keys("exports/")) == [bulk.zip_key(job)]
    # Generating again replaces the round's ZIP.
    assert client.post(f"{base}/start").status_code == 302
    newer = bulk.latest_job(open_round.id)
    assert newer.id != job.id and list(get_storage().keys("exports/")) == [bulk.zip_key(newer)]
    r = client.get(f"{base}/download")
    assert r.status_code == 302
    body, headers = _fetch(r.headers["Location"])
    assert headers["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert len(names) == 5 and all(n.startswith("partisipasi/Dinas-") for n in names)


def test_backup_reads_the_files_from_s3_and_restores_them_anywhere(
    app, make_app, tmp_path, opd, open_round
):
    from competition.backup import make_backup, restore_backup

    entry = factories.make_entry(open_round, opd)
    attachment = factories.make_attachment(entry)
    db.session.commit()
    archive = tmp_path / "juri.tar.gz"
    manifest = make_backup(archive)
    assert manifest["files"] == 1
    with tarfile.open(archive) as tar:
        member = tar.extractfile(f"uploads/{attachment.stored_name}")
        assert member.read() == factories.PDF_BYTES
    fresh = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/fresh.sqlite3",
        STORAGE_URL=f"file://{tmp_path}/fresh-files",
    )
    with fresh.app_context():
        restore_backup(archive)
        assert (tmp_path / "fresh-files" / attachment.stored_name).read_bytes() == (
            factories.PDF_BYTES
        )
        db.session.remove()


def test_restore_refuses_a_file_outside_the_store(make_app, tmp_path):
    from competition.backup import RestoreError, restore_backup

    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (
            ("manifest.json", b'{"format": 1, "revision": null, "tables": {}}'),
            ("uploads/../../evil.sh", b"#!/bin/sh"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    empty = make_app(  # an empty instance, as restore wants
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/empty.sqlite3",
        STORAGE_URL=f"file://{tmp_path}/store/files",
    )
    with empty.app_context():
        with pytest.raises(RestoreError, match="Unsafe file name"):
            restore_backup(archive)
        db.session.remove()
    assert not any(p.name == "evil.sh" for p in tmp_path.rglob("*"))
    assert not (tmp_path.parent / "evil.sh").exists()
