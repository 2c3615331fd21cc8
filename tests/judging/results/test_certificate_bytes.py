"""Bulk certificates are written from the skeleton of the first certificate of a shape
(``competition.pdf_skeleton.output_from_skeleton``): the same bytes fpdf2 writes, for every kind of
certificate (issue 17, item 6)."""

import io
from datetime import UTC, datetime

import numpy as np
import pytest
import segno
from PIL import Image, ImageDraw

from competition import pdf as pdf_module
from competition import pdf_skeleton
from competition.rounds.models import Round
from judging.results import certificates
from judging.results.certificates import Layout, as_jpeg, render_certificate
from judging.results.models import Certificate
from tests.judging.results.test_pdfs import check_pdf

ISSUED = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)


def _png(w, h, colour) -> bytes:
    img = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(5, h - 5), (w - 5, 5)], fill=colour, width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


LOGO = as_jpeg(_png(120, 140, (200, 30, 30, 255)))
SIGNATURE = as_jpeg(_png(300, 110, (10, 20, 120, 255)))
LAYOUTS = [
    Layout(
        government="Pemerintah Kota Palembang",
        place="Palembang",
        logo=LOGO,
        signers=(
            ("Dr. H. Ahmad Fauzi, M.Si.", "Sekretaris Daerah", SIGNATURE),
            ("Rina Kartika", "Kepala Bagian Organisasi", None),
        ),
    ),
    Layout(place="Medan", signers=(("Ṣalih Nugroho", "Ketua Panitia", SIGNATURE),)),
    Layout(),
]
HOLDERS = [
    "Dinas Kesehatan Kota Palembang",
    "Dinas Ṣaḥīḥ Zoë",  # glyphs beyond the usual set: another shape
    "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah Kabupaten Ogan "
    "Komering Ulu Selatan yang Sangat Panjang Namanya",  # wraps
    "Dinas Kesehatan Kota Palembang",
]
TITLES = [
    "Inovasi Pelayanan Publik Terpadu Berbasis Digital",
    "",
    "Inovasi \u201cCerdas\u201d \u2013 Sehat dengan judul yang cukup panjang untuk dibungkus ke "
    "baris berikutnya pada piagam",
    "Posyandu Digital",
]


def _certificates():
    round_ = Round(name="KOINYANLIK 2026", slug="koinyanlik-2026")
    kinds = ["award", "participation", "appreciation", "special"]
    out = []
    for i in range(12):
        out.append(
            Certificate(
                code=f"KIP-{1000 + i}",
                kind=kinds[i % 4],
                round=round_,
                holder=HOLDERS[i % 4],
                title=TITLES[(i // 2) % 4],
                category="Dinas/Badan" if i % 3 else "",
                award="Juara I" if i % 4 == 0 else "Peserta",
                issued_at=ISSUED if i % 5 else datetime(2026, 7, 1, 20, 0, tzinfo=UTC),
            )
        )
    return out


@pytest.fixture
def fresh_skeletons(monkeypatch):
    monkeypatch.setattr(pdf_skeleton, "_skeletons", {})
    return pdf_skeleton._skeletons


def test_certificates_from_skeletons_are_fpdf2s_bytes(app, fresh_skeletons, monkeypatch, tmp_path):
    written = []
    real_output = pdf_module.Document.output

    def counting_output(self, *args, **kwargs):
        written.append(self.title)
        return real_output(self, *args, **kwargs)

    certs = _certificates()
    with app.test_request_context():
        for layout in LAYOUTS:
            for cert in certs:
                url = f"https://juri.example/verify/{cert.code}"
                monkeypatch.setattr(certificates, "SKELETONS", False)
                expected = render_certificate(cert, url, layout)
                monkeypatch.setattr(certificates, "SKELETONS", True)
                monkeypatch.setattr(pdf_module.Document, "output", counting_output)
                got = render_certificate(cert, url, layout)
                monkeypatch.setattr(pdf_module.Document, "output", real_output)
                assert got == expected, (cert.code, cert.holder)
                assert render_certificate(cert, url, layout) == expected  # reproducible
    # most were written from a skeleton: fpdf2 wrote only the first of each shape
    n = len(certs) * len(LAYOUTS)
    assert 0 < len(written) < n / 2
    assert written and all(fresh_skeletons.values())  # every skeleton passed its own check
    check_pdf(got, tmp_path)


def test_a_skeleton_that_would_not_give_fpdf2s_bytes_is_never_used(
    app, fresh_skeletons, monkeypatch
):
    """The first document of a shape is written both ways; when they differ (here: a splice
    made wrong on purpose), every document of that shape is written by fpdf2."""
    real_splice = pdf_skeleton._splice
    monkeypatch.setattr(pdf_skeleton, "_splice", lambda *a: real_splice(*a) + b"%")
    cert = _certificates()[0]
    url = f"https://juri.example/verify/{cert.code}"
    with app.test_request_context():
        first = render_certificate(cert, url, LAYOUTS[0])
        again = render_certificate(cert, url, LAYOUTS[0])
    assert first == again and not first.endswith(b"%")
    assert list(fresh_skeletons.values()) == [None]


def test_a_revoked_certificate_is_written_by_fpdf2(app, fresh_skeletons):
    cert = _certificates()[0]
    cert.revoked_at, cert.revoked_reason = ISSUED, "data salah"
    with app.test_request_context():
        render_certificate(cert, "https://juri.example/verify/x", LAYOUTS[0])
    assert fresh_skeletons == {}


def test_qr_codes_from_the_frame_are_segnos(monkeypatch):
    """Each certificate's QR matrix is an XOR of the bits of its number over a frame made once
    per URL prefix: module for module segno's matrix, for any number and any prefix."""
    import random

    monkeypatch.setattr(certificates, "_qr_frames", {})
    monkeypatch.setattr(certificates, "_qr_seen", {})
    monkeypatch.setattr(certificates, "QR_FRAME_AFTER", 0)
    rng = random.Random(17)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

    def number():
        return "-".join("".join(rng.choice(alphabet) for _ in range(4)) for _ in range(4))

    urls = [f"https://juri.example/verify/{number()}" for _ in range(40)]
    urls += [f"http://localhost/verify/{number()}" for _ in range(10)]
    urls += ["https://x.go.id/verify/ab", "https://x.go.id/v/" + "z" * 30]
    for url in urls:
        expected = np.array(segno.make_qr(url, error="m", mask=certificates.QR_MASK).matrix)
        assert np.array_equal(certificates._qr_dark(url), expected.astype(bool)), url
    assert len(certificates._qr_frames) == 4 and all(certificates._qr_frames.values())
    # not affine in the number (upper-case URL: segno may pick another mode): segno itself
    url = "HTTPS://JURI.EXAMPLE/VERIFY/ABCD-EFGH"
    expected = np.array(segno.make_qr(url, error="m", mask=certificates.QR_MASK).matrix)
    assert np.array_equal(certificates._qr_dark(url), expected.astype(bool))
    assert len(certificates._qr_frames) == 4


def test_one_download_makes_no_qr_frame(monkeypatch):
    """A frame costs about 130 encodings: made for a ZIP, not for a certificate or two."""
    monkeypatch.setattr(certificates, "_qr_frames", {})
    monkeypatch.setattr(certificates, "_qr_seen", {})
    for i in range(certificates.QR_FRAME_AFTER):
        certificates._qr_dark(f"https://juri.example/verify/ABCD-{i:04d}")
    assert certificates._qr_frames == {}
    certificates._qr_dark("https://juri.example/verify/ABCD-9999")
    assert list(certificates._qr_frames) == [(b"https://juri.example/verify/", 9)]


def test_a_qr_frame_that_disagrees_with_segno_is_not_used(monkeypatch):
    monkeypatch.setattr(certificates, "_qr_frames", {})
    monkeypatch.setattr(certificates, "QR_FRAME_AFTER", 0)
    real = certificates._qr_frame

    def broken(prefix, n):
        base, flips = real(prefix, n)
        flips = flips.copy()
        flips[9] ^= 1  # one bit of the first character flips every module
        return base, flips

    monkeypatch.setattr(certificates, "_qr_frame", broken)
    url = "https://juri.example/verify/ABCD-EFGH"
    expected = np.array(segno.make_qr(url, error="m", mask=certificates.QR_MASK).matrix)
    assert np.array_equal(certificates._qr_dark(url), expected.astype(bool))
    assert list(certificates._qr_frames.values()) == [None]
