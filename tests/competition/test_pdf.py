"""Keeping blocks of a PDF together (competition.pdf: fits, keep_together, draw_closing): tried
on a scratch document, the real one untouched; a new page only when it helps."""

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from competition.pdf import (
    SANS,
    Document,
    Signer,
    draw_closing,
    fits,
    keep_together,
    paragraph,
    space,
    text_height,
)

CREATED = datetime(2026, 3, 5, tzinfo=UTC)
LONG = "Demikian pengumuman ini dibuat untuk diketahui dan dipergunakan sebagaimana mestinya. " * 3


def pages_of(data: bytes) -> list[str]:
    """The text of each page of a PDF, whitespace folded to single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def page_with(pages: list[str], text: str) -> int:
    """The number (from 1) of the one page of ``pages`` that holds ``text``."""
    found = [k for k, page in enumerate(pages, start=1) if text in page]
    assert len(found) == 1, (text, found)
    return found[0]


def _document(y: float) -> Document:
    pdf = Document(title="Uji", created_at=CREATED)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(SANS, "", 10)
    pdf.set_y(y)
    return pdf


def test_fits_answers_from_a_scratch_document_and_leaves_the_real_one_alone(app):
    probed, plain = _document(240), _document(240)
    room = probed.page_break_trigger - 240
    assert fits(probed, space(room - 0.5))
    assert not fits(probed, space(room + 0.5))
    # a paragraph wraps as it will on the page: its lines fit in their height, not in less
    words = "kata " * 60
    height = text_height(probed, 0, 5.5, words)
    assert height >= 3 * 5.5
    assert fits(_document(probed.page_break_trigger - height), paragraph(words))
    assert not fits(_document(probed.page_break_trigger - height + 1), paragraph(words))
    # the bold table heading row needs the bold font the real document has
    probed.set_font(SANS, "B", 10)
    probed.set_font(SANS, "", 10)

    def table(doc):
        with doc.table(col_widths=(1, 1)) as t:
            t.row(["Kepala", "Kolom"])
            t.row(["a", "b"])

    assert fits(probed, table)
    assert (probed.page, probed.get_y()) == (1, 240)
    plain.set_font(SANS, "B", 10)
    plain.set_font(SANS, "", 10)
    for pdf in (probed, plain):
        paragraph("Sama.")(pdf)
    assert bytes(probed.output()) == bytes(plain.output())


def test_keep_together_breaks_before_the_blocks_only_when_that_helps(app):
    pdf = _document(265)  # 14 mm left: a heading and two lines of text need 16.5
    keep_together(pdf, paragraph("Judul", style="B"), then=space(11))
    assert pdf.page == 2 and pdf.get_y() > pdf.t_margin  # the heading went along
    stays = _document(260)  # 19 mm left
    keep_together(stays, paragraph("Judul", style="B"), then=space(11))
    assert stays.page == 1
    top = _document(0)
    top.set_y(top.t_margin)
    keep_together(top, paragraph(LONG * 20))  # taller than a page: no blank page first
    text = [page.extract_text() for page in PdfReader(io.BytesIO(bytes(top.output()))).pages]
    assert "Demikian" in text[0]


def test_draw_closing_takes_the_last_paragraph_along(app):
    signer = Signer("Dr. Ṣalih Nugroho", "Kepala Badan")
    for y in range(150, 262, 4):
        pdf = _document(y)
        draw_closing(pdf, paragraph(LONG), place_date="Palembang, 5 Maret 2026", signers=[signer])
        pages = [
            " ".join(p.extract_text().split())
            for p in PdfReader(io.BytesIO(bytes(pdf.output()))).pages
        ]
        [page] = [p for p in pages if signer.name in p]
        assert "Palembang, 5 Maret 2026" in page and "Kepala Badan" in page, y
        assert "sebagaimana mestinya" in page, y
        # either all on the first page, or all of it on the second
        assert len(pages) == 1 or "Demikian" not in pages[0], y
