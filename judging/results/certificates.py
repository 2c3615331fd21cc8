"""Certificates (piagam) as PDF: fpdf2, A4 landscape, Bahasa Indonesia, with the issuing
government's name and logo, one or two signatories and a QR code (segno) to the public
verification page. Everything printed comes from the certificate row itself (holder, title,
award), so a certificate renders the same whatever happens to the entry later."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass

import segno
from babel.dates import format_date
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from PIL import Image
from sqlalchemy import select

from competition import images as image_checks
from competition.accounts.models import User
from competition.db import db
from competition.errors import InvalidState
from competition.rounds.models import Round
from competition.storage import get_storage, read_bytes
from competition.urls import public_url
from judging.results import awards
from judging.results.models import AwardSettings, Certificate, CertificateKind

MAROON = (120, 20, 30)


GREY = (90, 90, 90)


INK = (20, 20, 20)


def _latin1(text: str) -> str:
    """The PDF core fonts cover Latin-1 only: fold typographic punctuation and accents."""
    text = (
        text.replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("\u2018", "'")
        .replace("\u2019", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    if all(ord(c) < 256 for c in text):
        return text
    return unicodedata.normalize("NFKD", text).encode("latin-1", "ignore").decode("latin-1")


QR_SCALE, QR_BORDER = 4, 1


# A fixed mask pattern: segno's search for the best of the eight masks costs 4 ms, more than
# the rest of the QR code; any mask gives a valid code (ISO/IEC 18004), and on a plain white
# certificate the penalty the search avoids does not matter for scanning.
QR_MASK = 0


def _qr(verify_url: str):
    return segno.make(verify_url, error="m", mask=QR_MASK)


def qr_matrix(verify_url: str) -> tuple[tuple[int, ...], ...]:
    """The QR code's module matrix for ``verify_url`` (what the PDF embeds; tests compare)."""
    return tuple(tuple(row) for row in _qr(verify_url).matrix)


def qr_image(verify_url: str) -> Image.Image:
    """The QR code as a small greyscale image (dark modules 0), QR_SCALE pixels per module
    and a QR_BORDER-module quiet zone; embedding it costs far less than a PNG."""
    matrix = _qr(verify_url).matrix
    n = len(matrix) + 2 * QR_BORDER
    img = Image.new("L", (n, n), 255)
    img.putdata(
        [
            0
            if (
                0 <= y - QR_BORDER < n - 2 * QR_BORDER
                and 0 <= x - QR_BORDER < n - 2 * QR_BORDER
                and matrix[y - QR_BORDER][x - QR_BORDER]
            )
            else 255
            for y in range(n)
            for x in range(n)
        ]
    )
    return img.resize((n * QR_SCALE, n * QR_SCALE), Image.NEAREST)


def as_jpeg(data: bytes) -> bytes | None:
    """An uploaded PNG or JPEG flattened onto white and re-encoded as JPEG once, so each
    certificate embeds it as is (PDF DCTDecode) instead of recompressing a PNG."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if img.mode in ("RGBA", "LA", "P"):
                img = img.convert("RGBA")
                flat = Image.new("RGB", img.size, "white")
                flat.paste(img, mask=img.split()[-1])
                img = flat
            else:
                img = img.convert("RGB")
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=92)
            return buf.getvalue()
    except OSError:
        return None


@dataclass
class Layout:
    """What every certificate of a round shares: issuer, place, logo and signatories, with
    the images already decoded to JPEG bytes, loaded once per round for bulk generation."""

    government: str = ""
    place: str = ""
    logo: bytes | None = None
    signers: tuple[tuple[str, str, bytes | None], ...] = ()

    @classmethod
    def of(cls, settings: AwardSettings | None) -> Layout:
        """The layout of ``settings``, its images read from the app's storage (a missing
        image is left out)."""
        if settings is None:
            return cls()

        def image(name):
            if not name:
                return None
            try:
                return as_jpeg(read_bytes(name))
            except (FileNotFoundError, ValueError):
                return None

        signers = tuple(
            (n.strip(), t.strip(), image(img))
            for n, t, img in (
                (settings.signer1_name, settings.signer1_title, settings.signer1_image),
                (settings.signer2_name, settings.signer2_title, settings.signer2_image),
            )
            if (n or "").strip()
        )
        return cls(
            settings.government.strip(), settings.place.strip(), image(settings.logo), signers
        )


IMAGE_SLOTS = ("logo", "signer1_image", "signer2_image")


MAX_IMAGE_BYTES = 2 * 1024 * 1024


def check_image(data: bytes) -> str:
    """The extension of an uploaded PNG or JPEG, judged by its content, not by its name;
    anything else, an image over the pixel limits or a decompression bomb raises
    ``InvalidState`` with the reason (``competition.images``)."""
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise InvalidState(_l("The image must be a PNG or JPEG file of at most 2 MB."))
    try:
        return image_checks.check_image(data).extension
    except image_checks.ImageRefused as exc:
        raise InvalidState(exc.message) from None


def save_layout(
    *,
    round_: Round,
    government: str,
    place: str,
    signers: list[tuple[str, str]],
    images: dict[str, bytes | None],
    actor: User,
) -> AwardSettings:
    """Store the round's certificate layout; ``images`` maps a slot of ``IMAGE_SLOTS`` to the
    uploaded bytes (None keeps the current file). Files are content-checked and named by their
    hash, so a name never comes from the user."""
    settings = awards.settings_of(round_)
    checked = {}
    for slot, data in images.items():
        if data:  # checked first, then scaled down to print size (competition.images)
            try:
                ext = check_image(data)
            except InvalidState as exc:
                exc.field = slot  # the form marks the refused image's own field
                raise
            checked[slot] = (image_checks.fit_for_print(data), ext)
    for slot, (data, ext) in checked.items():
        name = f"certificates/round{round_.id}-{slot}-{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
        get_storage().put(name, data, "image/png" if ext == "png" else "image/jpeg")
        setattr(settings, slot, name)
    settings.government, settings.place = government.strip(), place.strip()
    (
        (settings.signer1_name, settings.signer1_title),
        (settings.signer2_name, settings.signer2_title),
    ) = [(n.strip(), t.strip()) for n, t in (list(signers) + [("", "")] * 2)[:2]]
    db.session.add(settings)
    db.session.flush()
    return settings


def _heading(cert: Certificate) -> tuple[str, str, str]:
    if cert.kind == CertificateKind.PARTICIPATION:
        return "PIAGAM PARTISIPASI", "Certificate of Participation", "sebagai Peserta"
    if cert.kind == CertificateKind.APPRECIATION:
        return "PIAGAM PENGHARGAAN", "Certificate of Appreciation", "sebagai Juri"
    return "PIAGAM PENGHARGAAN", "Certificate of Award", f"sebagai {cert.award}"


def draw_certificate(pdf: FPDF, cert: Certificate, verify_url: str, layout: Layout) -> None:
    """Draw one certificate as a new page of ``pdf`` (bulk generation reuses one FPDF, so the
    fonts and the logo are embedded once)."""
    pdf.add_page()
    pdf.set_draw_color(*MAROON)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)

    def line(text, size, style="", h=10, color=INK):
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, h, _latin1(text), align="C", new_x="LMARGIN", new_y="NEXT")

    y = 20
    if layout.logo:
        pdf.image(io.BytesIO(layout.logo), x=138.5, y=18, h=20)
        y = 40
    pdf.set_y(y)
    if layout.government:
        line(layout.government.upper(), 13, "B", 7)
    title, english, as_what = _heading(cert)
    line(title, 28, "B", 13, MAROON)
    line(english, 11, "I", 6, GREY)
    pdf.ln(2)
    round_name = cert.round.name if cert.round else ""
    line(round_name, 15, "B", 8)
    line("diberikan kepada", 11, "", 7)
    line(cert.holder, 21, "B", 11)
    if cert.title:
        line("atas inovasi", 11, "", 7)
        line(f'"{cert.title}"', 15, "BI", 8)
    pdf.ln(1)
    category = (
        f" Kategori {cert.category}" if cert.category and cert.kind == CertificateKind.AWARD else ""
    )
    line(f"{as_what}{category}", 16, "B", 9, MAROON)

    date = format_date(cert.issued_at, "d MMMM y", locale="id")
    place = f"{layout.place}, " if layout.place else ""
    signers = layout.signers or (("Panitia", "", None),)
    width = 70
    xs = [150 - width / 2] if len(signers) == 1 else [62, 132]
    top = 150
    pdf.set_font("Helvetica", "", 10)
    pdf.set_text_color(*INK)
    pdf.set_xy(xs[-1], top - 8)
    pdf.cell(width, 5, _latin1(f"{place}{date}"), align="C")
    for x, (name, role, image) in zip(xs, signers):
        pdf.set_xy(x, top - 3)
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(width, 4, _latin1(role), align="C")
        if image:
            pdf.image(io.BytesIO(image), x=x + width / 2 - 15, y=top + 4, h=14)
        pdf.set_xy(x, top + 20)
        pdf.set_font("Helvetica", "BU", 10)
        pdf.cell(width, 5, _latin1(name), align="C")

    pdf.image(qr_image(verify_url), x=240, y=152, w=34, h=34)
    pdf.set_xy(20, 186)
    pdf.set_font("Helvetica", "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(215, 4, _latin1(f"Nomor: {cert.code}   Verifikasi: {verify_url}"))


def new_document(title: str) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(title))
    pdf.set_author("Juri")
    pdf.set_auto_page_break(False)
    return pdf


def _layout_of_round(round_id: int | None) -> Layout:
    settings = None
    if round_id is not None:
        settings = db.session.scalar(
            select(AwardSettings).where(AwardSettings.round_id == round_id)
        )
    return Layout.of(settings)


def layout_for_round(round_) -> Layout:
    return _layout_of_round(round_.id)


def layout_for(certificate: Certificate) -> Layout:
    return _layout_of_round(certificate.round_id)


def verify_url(certificate: Certificate) -> str:
    """The public verification URL printed on the certificate and in its QR code: under the
    configured public address (``JURI_PUBLIC_URL``, e.g. ``https://inovasi.palembang.go.id``),
    never the request's Host (see ``competition.urls``)."""
    return public_url("public.verify", code=certificate.code)


def render_for_request(certificate: Certificate) -> bytes:
    """The certificate's PDF with the round's layout and its external verification URL."""
    return render_certificate(certificate, verify_url(certificate), layout_for(certificate))


def render_certificate(
    certificate: Certificate, verify_url: str, layout: Layout | None = None
) -> bytes:
    """One certificate as PDF bytes."""
    pdf = new_document(f"Piagam {certificate.award} - {certificate.holder}")
    draw_certificate(pdf, certificate, verify_url, layout or Layout())
    return bytes(pdf.output())
