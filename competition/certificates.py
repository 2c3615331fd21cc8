"""Award certificates as PDF (fpdf2) with a QR code (segno) pointing at the public
verification page."""

from __future__ import annotations

import io
import unicodedata

import segno
from fpdf import FPDF

from competition.models import Certificate

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def award_title(rank: int) -> str:
    """The award as printed on an Indonesian certificate: "Terbaik I", "Terbaik II", ..."""
    return f"Terbaik {ROMAN.get(rank, str(rank))}"


def _latin1(text: str) -> str:
    """The PDF core fonts cover Latin-1 only: fold typographic punctuation and accents."""
    text = (text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2018", "'")
            .replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"'))
    if all(ord(c) < 256 for c in text):
        return text
    return unicodedata.normalize("NFKD", text).encode("latin-1", "ignore").decode("latin-1")


def render_certificate(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as PDF bytes: round, award, innovation, OPD and verification code."""
    result = certificate.result
    entry = result.entry
    stage = result.stage
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(f"Sertifikat {award_title(result.rank)} - {entry.title}"))
    pdf.set_author("Juri")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(120, 20, 30)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)

    def line(text, size, style="", h=10, color=(20, 20, 20)):
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, h, _latin1(text), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(26)
    line("PIAGAM PENGHARGAAN", 30, "B", 14, (120, 20, 30))
    line("Certificate of Award", 12, "I", 7, (90, 90, 90))
    pdf.ln(4)
    line(f"{stage.round.name}", 16, "B", 9)
    line("diberikan kepada", 12, "", 8)
    line(entry.organisation.name, 22, "B", 12)
    line("atas inovasi", 12, "", 8)
    line(f'"{entry.title}"', 16, "BI", 9)
    pdf.ln(2)
    line(f"sebagai {award_title(result.rank)} Kategori {result.category.name}", 16, "B", 9,
         (120, 20, 30))
    line(f"(peringkat {result.rank}, nilai {result.score:.2f})", 11, "", 7, (90, 90, 90))

    qr = segno.make(verify_url, error="m")
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=5, border=1)
    buf.seek(0)
    pdf.image(buf, x=238, y=150, w=38, h=38)
    pdf.set_xy(20, 172)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(60, 60, 60)
    issued = certificate.issued_at.strftime("%d-%m-%Y")
    pdf.multi_cell(200, 5, _latin1(
        f"Diterbitkan {issued}. Kode verifikasi: {certificate.code}\n"
        f"Periksa keaslian: {verify_url}"
    ), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
