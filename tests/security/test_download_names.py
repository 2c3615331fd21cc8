"""Download names: no path part, no control characters or quotes in the header, letters
outside ASCII kept through RFC 5987 ``filename*`` with an ASCII fallback."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from competition.db import db
from competition.downloads import MAX_LENGTH, disposition, safe_filename
from competition.entries.models import Attachment, Entry
from tests import factories
from tests.competition.entries.test_entries import _form

HOSTILE = [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\win.ini", "win.ini"),
    ("/abs/path/laporan.pdf", "laporan.pdf"),
    ('laporan "final".pdf', "laporan _final_.pdf"),
    ("it's.pdf", "it_s.pdf"),
    ("a\r\nSet-Cookie: x=1.pdf", "a Set-Cookie_ x=1.pdf"),
    ("tab\tand\x00nul\x7f.pdf", "tab andnul.pdf"),
    ("\u202egpj.exe", "gpj.exe"),  # right-to-left override, a disguised name
    ("Profil Inovasi Désa – Kec. Ngabang.pdf", "Profil Inovasi Désa – Kec. Ngabang.pdf"),
    ("文件.pdf", "文件.pdf"),
    ("..", "file"),
    ("", "file"),
    (" . ", "file"),
]


@pytest.mark.parametrize(("name", "expected"), HOSTILE)
def test_safe_filename_cleans_hostile_names(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize(("name", "expected"), HOSTILE)
def test_disposition_is_one_clean_header_that_round_trips(name, expected):
    value = disposition(name)
    assert value.isascii() and "\n" not in value and "\r" not in value
    assert "/" not in value and "\\" not in value.replace('\\"', "")
    kind, options = parse_options_header(value)
    assert kind == "attachment" and options["filename"] == expected


def test_disposition_keeps_unicode_with_an_ascii_fallback():
    value = disposition("Data Désa.pdf", inline=True)
    assert value.startswith("inline; ")
    assert 'filename="Data Desa.pdf"' in value
    assert "filename*=UTF-8''Data%20D%C3%A9sa.pdf" in value
    assert "filename=file.pdf" in disposition("文件.pdf")


def test_long_names_are_cut_keeping_the_extension():
    name = safe_filename("laporan " * 60 + ".pdf")
    assert len(name) <= MAX_LENGTH and name.endswith(".pdf")


def test_uploaded_hostile_names_are_stored_clean_and_served_safely(app, login, opd, open_round):
    client = login(opd)
    files = [
        (io.BytesIO(factories.PDF_BYTES), "../../etc/passwd.pdf"),
        (io.BytesIO(factories.PDF_BYTES), "laporan 'final'.pdf"),
        (io.BytesIO(factories.PDF_BYTES), "Profil Inovasi Désa.pdf"),
    ]
    r = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, save="1", data_files=files),
    )
    assert r.status_code == 302
    entry = db.session.scalar(select(Entry))
    names = sorted(a.original_name for a in entry.attachments if a.kind.value == "data")
    assert names == ["Profil Inovasi Désa.pdf", "laporan _final_.pdf", "passwd.pdf"]
    for a in entry.attachments:
        if a.kind.value != "data":
            continue
        with client.get(f"/opd/attachments/{a.id}") as resp:
            assert resp.status_code == 200
            kind, options = parse_options_header(resp.headers["Content-Disposition"])
            assert kind == "attachment" and options["filename"] == a.original_name


def test_an_old_row_with_a_newline_in_its_name_still_downloads(app, login, opd, open_round):
    entry = factories.make_entry(open_round, opd, submitted=False)
    attachment = factories.make_attachment(entry)
    attachment.original_name = 'x\r\nSet-Cookie: a=b; "..\\..\\data.pdf'
    db.session.commit()
    with login(opd).get(f"/opd/attachments/{attachment.id}") as resp:
        assert resp.status_code == 200  # no 500 from a header with a newline
        assert "Set-Cookie" not in resp.headers or "a=b" not in resp.headers["Set-Cookie"]
        assert (
            parse_options_header(resp.headers["Content-Disposition"])[1]["filename"] == "data.pdf"
        )
    assert db.session.get(Attachment, attachment.id) is not None
