"""Every official PDF (berita acara, certificates, announcements, the OPD's feedback, the layout
preview): valid (pypdf, and ``qpdf --check`` where installed), in an embedded Unicode font,
PDF/A-2B metadata, numbered pages, the letterhead, reproducible bytes (issue 16, items 17-19),
the audit trail's anchor (issue 15, item 3) and revoked certificates crossed out (item 11)."""

import io
import shutil
import subprocess
import time
from datetime import UTC, datetime
from types import SimpleNamespace as NS
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader

from competition.announcements import services as announcements
from competition.audit import services as audit
from competition.db import db, utcnow
from judging.results import awards, certificate_register
from judging.results import publication as publication_service
from judging.results.certificates import Layout
from judging.results.minutes import JudgeLine, render_minutes
from tests import factories
from tests.competition.test_pdf import page_with, pages_of
from tests.judging.results.test_publishing import scored  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

PUBLISHED = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
NAME = "Dinas Ṣaḥīḥ Zoë"
TITLE = "Inovasi \u201cCerdas\u201d \u2013 Ṣehat"


def _png(w=60, h=40) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def check_pdf(data: bytes, tmp_path) -> PdfReader:
    """The PDF parses, every font is embedded (no base-14 font), it declares PDF/A-2B, and
    qpdf finds no error when installed."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) >= 1
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            assert font["/Subtype"] == "/Type0", font  # no base-14 Helvetica
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()  # embedded TrueType
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in raw and "<pdfaid:conformance>B" in raw
    assert "<dc:title>" in raw
    if shutil.which("qpdf"):
        path = tmp_path / "check.pdf"
        path.write_bytes(data)
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    return reader


def _text(reader: PdfReader) -> str:
    """The text of every page, whitespace (line breaks) folded to single spaces."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def published(app, login, committee, scored, cached_data):  # noqa: F811
    """The scored stage published on 5 March 2026, one OPD renamed with characters beyond
    Latin-1, and the round's letterhead set through the layout page
    (built once per module and copied: see ``cached_data``)."""

    def build():
        stage, entries, owners = scored
        entries[0].organisation.name = NAME
        entries[0].title = TITLE
        db.session.commit()
        r = login(committee).post(
            f"/committee/rounds/{stage.round_id}/results/layout",
            data={
                "government": "Pemerintah Kota Palembang",
                "organiser": "Badan Riset dan Inovasi Daerah",
                "address": "Jl. Merdeka No. 1, Palembang 30111",
                "place": "Palembang",
                "signer1_name": "Dr. Ṣalih Nugroho",
                "signer1_title": "Ketua Panitia",
                "logo": (io.BytesIO(_png()), "logo.png"),
            },
            content_type="multipart/form-data",
        )
        assert r.status_code == 302
        pub = publication_service.publish_results(stage=stage, actor=committee, now=PUBLISHED)
        db.session.commit()
        return stage, entries, owners, pub

    return cached_data(build)


def test_berita_acara_is_valid_unicode_numbered_and_has_the_letterhead(
    app, login, committee, published, tmp_path
):
    stage, _entries, _owners, _pub = published
    data = login(committee).get(f"/committee/rounds/{stage.round_id}/results/berita-acara.pdf")
    assert data.status_code == 200
    reader = check_pdf(data.data, tmp_path)
    text = _text(reader)
    assert NAME in text and "\u201cCerdas\u201d" in text and "\u2013" in text
    assert "PEMERINTAH KOTA PALEMBANG" in text and "BADAN RISET DAN INOVASI DAERAH" in text
    assert "Jl. Merdeka No. 1, Palembang 30111" in text
    n = len(reader.pages)
    for k, page in enumerate(reader.pages, start=1):
        assert f"Halaman {k} dari {n}" in page.extract_text()
    # The logo is embedded once, on the first page (the letterhead).
    assert len(reader.pages[0].images) == 1
    # Dated by the publication, not by the download.
    assert "Kamis, 5 Maret 2026" in text and "Palembang, 5 Maret 2026" in text
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'xmp:CreateDate="2026-03-05T02:00:00+00:00"' in xmp
    assert 'xmp:ModifyDate="2026-03-05T02:00:00+00:00"' in xmp
    # The signature block stays with the closing sentence.
    last = reader.pages[-1].extract_text()
    assert "Demikian berita acara ini dibuat" in last and "Dr. Ṣalih Nugroho" in last


def test_berita_acara_is_the_same_at_every_download(app, login, committee, published):
    stage, *_ = published
    url = f"/committee/rounds/{stage.round_id}/results/berita-acara.pdf"
    first = login(committee).get(url).data
    # Later (the old minutes printed the download's date; fpdf2 stamps the writing time).
    time.sleep(1.1)
    assert login(committee).get(url).data == first
    # An official letter is in Indonesian whatever the reader's interface language: the method's
    # name printed in English for a committee member reading in English.
    english = login(committee)
    english.post("/language", data={"lang": "en"})
    assert '<html lang="en">' in english.get("/committee/").text
    assert english.get(url).data == first


def test_berita_acara_prints_the_audit_anchor_of_its_publication(app, login, committee, published):
    stage, _entries, _owners, pub = published
    data = login(committee).get(f"/committee/rounds/{stage.round_id}/results/berita-acara.pdf")
    text = _text(PdfReader(io.BytesIO(data.data)))
    anchor = audit.anchor_of("publications", pub.id)
    assert anchor is not None and f"Jejak audit: {anchor}" in text
    printed = text.split("Jejak audit: ")[1].split()[0]
    out = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", printed])
    assert out.exit_code == 0 and "matches" in out.output


def test_long_berita_acara_breaks_pages_and_keeps_the_signatures_with_the_text(
    app, login, committee, open_round, tmp_path
):
    from judging.scoring import rubric as rubric_service
    from judging.scoring import sheets as sheet_service

    stage = factories.make_stage(open_round)
    judge = factories.make_user(role="judge", username="penilai")
    criteria = rubric_service.list_criteria(stage)
    for i in range(45):
        owner = factories.make_opd_user(f"Dinas Nomor {i}", username=f"opd{i}")
        entry = factories.make_entry(open_round, owner, title=f"Inovasi pelayanan publik {i}")
        sheet_service.save_sheet(
            assignment=factories.make_assignment(stage, entry, judge),
            submit=True,
            actor=judge,
            now=utcnow(),
            inputs={c.id: sheet_service.CriterionInput(float(1 + i % 9)) for c in criteria},
        )
    publication_service.publish_results(stage=stage, actor=committee, now=PUBLISHED)
    db.session.commit()
    data = login(committee).get(f"/committee/rounds/{open_round.id}/results/berita-acara.pdf")
    reader = check_pdf(data.data, tmp_path)
    n = len(reader.pages)
    assert n >= 2
    assert f"Halaman {n} dari {n}" in reader.pages[-1].extract_text()
    last = reader.pages[-1].extract_text()
    assert "Demikian berita acara" in last and "Ketua Panitia" in last


def test_certificate_pdf_is_valid_with_unicode_names_and_reproducible(
    app, login, committee, published, tmp_path
):
    stage, entries, owners, _pub = published
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    client = login(owners[0])
    first = client.get(f"/opd/certificates/{cert.code}.pdf")
    assert first.status_code == 200
    text = _text(check_pdf(first.data, tmp_path))
    assert NAME in text and "Cerdas" in text and cert.code in text
    assert "DICABUT" not in text
    assert client.get(f"/opd/certificates/{cert.code}.pdf").data == first.data
    public = app.test_client().get(f"/verify/{cert.code}.pdf")
    assert public.status_code == 200
    check_pdf(public.data, tmp_path)
    preview = login(committee).get(f"/committee/rounds/{stage.round_id}/results/layout/preview.pdf")
    check_pdf(preview.data, tmp_path)


def test_revoked_certificate_downloaded_again_is_marked_revoked(
    app, login, committee, published, tmp_path
):
    stage, entries, owners, _pub = published
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    revoked_on = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)
    new = awards.reissue_certificate(
        certificate=cert, reason="Nama OPD salah eja", actor=committee, now=revoked_on
    )
    db.session.commit()
    pdf = login(owners[0]).get(f"/opd/certificates/{cert.code}.pdf")
    assert pdf.status_code == 200
    text = _text(check_pdf(pdf.data, tmp_path))
    assert "DICABUT" in text and "2 April 2026" in text and "Nama OPD salah eja" in text
    assert f"Diganti dengan piagam nomor {new.code}" in text
    assert "tidak berlaku" in text
    # The replacement is a clean certificate.
    clean = _text(
        check_pdf(login(owners[0]).get(f"/opd/certificates/{new.code}.pdf").data, tmp_path)
    )
    assert "DICABUT" not in clean and new.code in clean
    # Revoked without a replacement: date and reason, no number.
    other = certificate_register.valid_certificates_by_entry(stage)[entries[1].id]
    awards.revoke_certificate(
        certificate=other, reason="Dibatalkan", actor=committee, now=revoked_on
    )
    db.session.commit()
    response = login(owners[1]).get(f"/opd/certificates/{other.code}.pdf")
    text = _text(check_pdf(response.data, tmp_path))
    assert "DICABUT" in text and "Dibatalkan" in text and "Diganti" not in text
    # The verification page says so and links the replacement.
    page = app.test_client().get(f"/verify/{cert.code}")
    assert f"/verify/{new.code}" in page.text


def test_announcement_pdf_has_letterhead_signatory_anchor_and_is_reproducible(
    app, login, committee, published, tmp_path
):
    stage, entries, _owners, _pub = published
    announcement = announcements.issue_announcement(
        stage=stage,
        title="Penetapan Finalis",
        objection_days=3,
        actor=committee,
        now=utcnow(),
        winners=lambda s: [entries[0].id, entries[1].id],
    )
    db.session.commit()
    first = app.test_client().get(f"/announcements/{announcement.id}.pdf")
    assert first.status_code == 200
    reader = check_pdf(first.data, tmp_path)
    text = _text(reader)
    assert "PEMERINTAH KOTA PALEMBANG" in text and "BADAN RISET DAN INOVASI DAERAH" in text
    # The place-and-date line is dated in the competition's time zone (WIB): between 17:00 and
    # 24:00 UTC that is already the next day.
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    day = announcement.issued_at.astimezone(zone)
    assert "Dr. Ṣalih Nugroho" in text and f"Palembang, {day.day} " in text
    assert NAME in text and "Halaman 1 dari" in text
    anchor = audit.anchor_until(announcement.issued_at)
    assert anchor is not None and f"Jejak audit: {anchor}" in text
    assert app.test_client().get(f"/announcements/{announcement.id}.pdf").data == first.data


def test_feedback_pdf_is_valid(app, login, committee, published, tmp_path):
    stage, entries, owners, _pub = published
    response = login(owners[0]).get(f"/opd/entries/{entries[0].id}/feedback.pdf")
    assert response.status_code == 200
    text = _text(check_pdf(response.data, tmp_path))
    assert TITLE in text and "Halaman 1 dari" in text


def test_documents_are_dated_in_the_deployments_time_zone(app):
    from competition.pdf import local_date

    night = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)  # 03:00 WIB on 5 March
    assert local_date(night) == "5 Maret 2026"
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    assert local_date(night) == "4 Maret 2026"


def test_documents_built_in_parallel_threads_keep_their_own_text(app, tmp_path):
    """The fonts are shared per process (competition/pdf_assets.py caches them): documents written at
    once in several threads each keep their own glyphs and objects."""
    import threading

    from competition.pdf import Document

    names = [f"Nama {i} Ṣ{chr(0x100 + i)}" for i in range(16)]
    out = {}

    def work(i):
        doc = Document(title=f"Uji {i}", created_at=PUBLISHED)
        doc.add_page()
        doc.set_font("helvetica", "", 12)
        doc.cell(0, 10, names[i])
        doc.set_font("helvetica", "B", 12)
        doc.cell(0, 10, "Tebal " + names[i])
        out[i] = bytes(doc.output())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(names))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, name in enumerate(names):
        text = _text(check_pdf(out[i], tmp_path))
        assert name in text and f"Tebal {name}" in text


def _minutes_of(judges: int) -> tuple[bytes, list[str]]:
    """The berita acara of a published stage of two categories of three entries, with the
    likely places and a special award, judged by ``judges`` judges; and the text of each of
    its headings' first row, in order (plain values: ``render_minutes`` reads attributes)."""
    stage = NS(
        id=1,
        name="Penilaian Proposal",
        opens_at=PUBLISHED,
        closes_at=PUBLISHED,
        scale_min=0,
        scale_max=100,
    )
    pub = NS(
        id=1,
        params="{}",
        n_sheets=45,
        method="zscore",
        version=1,
        published_at=PUBLISHED,
        reason="",
        scores_digest="ab" * 32,
    )
    results = [
        NS(
            category_id=c,
            category=NS(name=f"Kelompok {c}"),
            rank=k,
            entry_id=10 * c + k,
            entry=NS(title=f"Inovasi {c}-{k}", organisation=NS(name=f"Dinas {c}-{k}")),
            score=90.0 - k,
            award="Juara I" if k == 1 else None,
        )
        for c in (1, 2)
        for k in range(1, 4)
    ]
    data = render_minutes(
        round_=NS(name="KOINYANLIK 2026"),
        published=[(stage, pub, results)],
        judges=[JudgeLine(f"Juri Nomor {i:02d}", "Universitas Sriwijaya") for i in range(judges)],
        layout=Layout(government="Pemerintah Kota Palembang", place="Palembang"),
        method_labels={"zscore": "Skor baku"},
        specials=[NS(award="Inovasi Terfavorit", title="SI-ISTIMEWA", holder="Dinas Istimewa")],
        places={1: {r.entry_id: (r.rank, r.rank + 1, False) for r in results}},
    )
    return data, pages_of(data)


def test_berita_acara_never_ends_a_page_with_a_heading(app):
    """A heading keeps the start of what follows on its page (two lines of text, or its table's
    heading row and first row): the number of judges moves the sections below down the pages,
    each heading across a page's bottom on the way (the old layout left "IV" alone with 11
    and 12 judges, the second category's heading with 15, "III" with 20 to 24)."""
    seen = set()
    for judges in range(8, 26):
        _data, pages = _minutes_of(judges)
        pairs = [
            ("I. Tahapan dan metode penilaian", "Penilaian Proposal (5 Maret 2026"),
            ("II. Tim Juri", "Juri Nomor 00"),
            ("III. Hasil penilaian per kategori", "Kemungkinan peringkat: rentang"),
            ("III. Hasil penilaian per kategori", "Inovasi 1-1"),
            *((f"Kategori Kelompok {c}", f"Inovasi {c}-1") for c in (1, 2)),
            ("IV. Penghargaan khusus", "Inovasi Terfavorit"),
            ("Demikian berita acara", "Palembang, 5 Maret 2026"),
        ]
        for heading, first in pairs:
            page = page_with(pages, heading)
            assert page == page_with(pages, first), (judges, heading)
            seen.add((heading, page))
    # the headings below the judges did go over to a later page
    assert ("III. Hasil penilaian per kategori", 2) in seen
    assert ("IV. Penghargaan khusus", 2) in seen
