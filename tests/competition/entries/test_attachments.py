"""Attachments: type by content, size limits, generated names, who may download."""

import io
from pathlib import Path

from sqlalchemy import select

from competition.db import db
from competition.entries.attachments import sniff
from competition.entries.models import Attachment, AttachmentKind, Entry
from tests import factories
from tests.competition.entries.test_entries import _form


def _file(data: bytes, name: str):
    return (io.BytesIO(data), name)


def test_sniff_reads_signatures_not_names():
    assert sniff(factories.PDF_BYTES) == "application/pdf"
    assert sniff(factories.PNG_BYTES) == "image/png"
    assert sniff(factories.JPEG_BYTES) == "image/jpeg"
    assert sniff(b"MZ\x90\x00 executable") is None
    assert sniff(b"") is None


def test_files_are_stored_under_generated_names_and_served_to_the_owner(
    app, login, opd, committee, open_round
):
    client = login(opd)
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(
            open_round,
            save="1",
            data_files=[
                _file(factories.JPEG_BYTES, "grafik.jpg"),
                _file(factories.PDF_BYTES, "data.pdf"),
            ],
            photos=[_file(factories.PNG_BYTES, "foto layanan.png")],
        ),
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    kinds = sorted(a.kind.value for a in entry.attachments)
    assert kinds == ["data", "data", "photo", "sk"]
    folder = Path(app.config["UPLOAD_FOLDER"])
    for a in entry.attachments:
        assert a.stored_name != a.original_name and "layanan" not in a.stored_name
        assert (folder / a.stored_name).is_file()
        assert not a.stored_name.startswith(str(app.static_folder))
    photo = next(a for a in entry.attachments if a.kind == AttachmentKind.PHOTO)
    assert photo.content_type == "image/png" and photo.original_name == "foto layanan.png"
    with client.get(f"/opd/attachments/{photo.id}") as r:
        assert r.status_code == 200 and r.data == factories.PNG_BYTES
        assert r.mimetype == "image/png"
    with login(committee).get(f"/committee/attachments/{photo.id}") as r:
        assert r.status_code == 200 and r.data == factories.PNG_BYTES
    # The edit page lists them, and the entry page links them.
    assert "foto layanan.png" in client.get(f"/opd/entries/{entry.id}").text


def test_wrong_type_is_refused_by_content_and_the_rest_is_kept(app, login, opd, open_round):
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(
            open_round,
            save="1",
            sk_file=_file(b"<html>bukan pdf</html>", "sk.pdf"),
            photos=[_file(factories.PDF_BYTES, "foto.jpg"), _file(factories.JPEG_BYTES, "ok.jpg")],
        ),
    )
    assert response.status_code == 422
    assert "sk.pdf bukan berkas PDF" in response.text
    assert "foto.jpg bukan gambar JPEG atau PNG" in response.text
    assert "Antrean panjang di kantor" in response.text  # the typed text is still in the form
    entry = db.session.scalar(select(Entry))
    assert entry.title == "SI-PANDAI"  # the draft itself was saved
    assert [a.original_name for a in entry.attachments] == ["ok.jpg"]
    assert f'action="/opd/entries/{entry.id}/edit"' in response.text


def test_oversized_file_is_refused_with_the_limit(app, login, opd, open_round):
    app.config["MAX_ATTACHMENT_BYTES"] = 1024
    big = factories.PDF_BYTES + b"0" * 2000
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, save="1", sk_file=_file(big, "sk-besar.pdf")),
    )
    assert response.status_code == 422
    assert "sk-besar.pdf lebih besar dari 1 KB" in response.text
    assert db.session.scalar(select(Attachment)) is None


def test_entry_total_limit(app, login, opd, open_round):
    app.config["MAX_ENTRY_ATTACHMENT_BYTES"] = 150
    entry = factories.make_entry(open_round, opd, submitted=False)  # its SK counts 1000 bytes
    entry.attachments[0].size = 100
    db.session.commit()
    response = login(opd).post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(
            open_round, save="1", sk_file=None, photos=[_file(factories.PNG_BYTES, "a.png")]
        ),
    )
    assert response.status_code == 422
    assert "batas per proposal" in response.text


def test_submission_without_sk_names_it(app, login, opd, open_round):
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, sk_file=None, send="1")
    )
    assert response.status_code == 422
    assert "Belum diisi: SK penetapan tim inovasi" in response.text


def test_other_opds_attachment_is_404(app, login, opd, other_opd, open_round):
    entry = factories.make_entry(open_round, other_opd, submitted=False)
    attachment = factories.make_attachment(entry)
    db.session.commit()
    client = login(opd)
    assert client.get(f"/opd/attachments/{attachment.id}").status_code == 404
    assert client.post(f"/opd/attachments/{attachment.id}/delete").status_code == 404
    assert db.session.get(Attachment, attachment.id) is not None


def test_only_assigned_judges_download(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    attachment = factories.make_attachment(entry, data=factories.PDF_BYTES)
    other = factories.make_user(role="judge", username="juri-lain")
    db.session.commit()
    assert login(judge).get(f"/judge/files/{attachment.id}").status_code == 404
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    with login(judge).get(f"/judge/files/{attachment.id}") as r:
        assert r.status_code == 200 and r.data == factories.PDF_BYTES
    assert login(other).get(f"/judge/files/{attachment.id}").status_code == 404
    # The judge's sheet links the file through the judge's route.
    sheet = login(judge).get(f"/judge/assignments/{assignment.id}").text
    assert f"/judge/files/{attachment.id}" in sheet


def test_owner_removes_a_draft_attachment_but_not_after_submission(app, login, opd, open_round):
    entry = factories.make_entry(open_round, opd, submitted=False)
    attachment = factories.make_attachment(entry)
    path = Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name
    db.session.commit()
    client = login(opd)
    assert client.post(f"/opd/attachments/{attachment.id}/delete").status_code == 302
    assert db.session.get(Attachment, attachment.id) is None and not path.exists()
    submitted = factories.make_entry(open_round, opd, title="Terkirim")
    kept = factories.make_attachment(submitted)
    db.session.commit()
    client.post(f"/opd/attachments/{kept.id}/delete")
    assert db.session.get(Attachment, kept.id) is not None


def test_small_files_show_their_size_in_kilobytes(app, login, opd, open_round):
    client = login(opd)
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, save="1")
    )
    page = client.get(response.location).text
    size = len(factories.PDF_BYTES)
    assert f'<td class="num">{-(-size // 1024)} KB</td>' in page and "0,0 MB<" not in page


def _files():
    return {
        "sk_file": (io.BytesIO(factories.PDF_BYTES), "sk-baru.pdf"),
        "photos": [(io.BytesIO(factories.PNG_BYTES), "foto-loket.png")],
    }


def test_refused_save_keeps_the_chosen_files_with_the_stored_draft(app, login, opd, open_round):
    client = login(opd)
    r = client.post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, save="1", sk_file=None)
    )
    entry = db.session.scalar(select(Entry))
    assert r.status_code == 302 and not entry.attachments
    # A bad video link refuses the save: the files are stored with the draft all the same.
    r = client.post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(open_round, save="1", video_url="bukan tautan", **_files()),
    )
    assert r.status_code == 422
    db.session.refresh(entry)
    names = sorted(a.original_name for a in entry.attachments)
    assert names == ["foto-loket.png", "sk-baru.pdf"]
    assert "disimpan bersama draf" in r.text and "foto-loket.png" in r.text
    assert entry.video_url != "bukan tautan"  # the refused text is not saved


def test_refused_first_save_names_the_files_to_choose_again(app, login, opd, open_round):
    client = login(opd)
    # No entry stored yet (the title is missing): nothing can hold the files, so say so.
    r = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, save="1", title="", **_files()),
    )
    assert r.status_code == 422 and db.session.scalar(select(Entry)) is None
    assert "tidak tersimpan" in r.text and "Pilih lagi" in r.text
    assert "sk-baru.pdf" in r.text and "foto-loket.png" in r.text
    assert db.session.scalar(select(Attachment)) is None


def test_save_from_a_stale_tab_names_the_files_to_choose_again(app, login, opd, open_round):
    client = login(opd)
    client.post(f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, save="1"))
    entry = db.session.scalar(select(Entry))
    before = len(entry.attachments)
    r = client.post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(open_round, save="1", version_id="0", sk_file=None, photos=_files()["photos"]),
    )
    assert r.status_code == 409 and "foto-loket.png" in r.text and "tidak tersimpan" in r.text
    db.session.refresh(entry)
    assert len(entry.attachments) == before
