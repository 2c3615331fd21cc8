"""Certificates (piagam) as PDF: A4 landscape, Bahasa Indonesia, in the shared
``competition.pdf`` document (embedded Unicode font, PDF/A-2B, dated by the certificate's issue so
the same certificate gives the same bytes), with the issuing government's name and logo, one or
two signatories and a QR code (segno) to the public verification page. Everything printed comes
from the certificate row itself (holder, title, award), so a certificate renders the same
whatever happens to the entry later. A revoked certificate, downloaded again by whoever may,
is printed crossed out: a red banner with the date, the reason and the replacing number, and a
diagonal "DICABUT" across the page."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import segno
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from PIL import Image
from sqlalchemy import select

from competition import images as image_checks
from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db, utcnow
from competition.errors import InvalidState
from competition.pdf import SANS, Document, local_date, plain
from competition.pdf_skeleton import output_from_skeleton
from competition.rounds.models import Round
from competition.storage import get_storage, read_bytes
from competition.urls import public_url
from judging.results import awards, certificate_register
from judging.results.models import AwardSettings, Certificate, CertificateKind

MAROON = (120, 20, 30)


GREY = (90, 90, 90)


INK = (20, 20, 20)


QR_SCALE, QR_BORDER = 4, 1

# Certificates after the first of a shape are written from its skeleton (competition.pdf):
# the same bytes; tests turn it off to compare.
SKELETONS = True


# A fixed mask pattern: segno's search for the best of the eight masks costs 4 ms, more than
# the rest of the QR code; any mask gives a valid code (ISO/IEC 18004), and on a plain white
# certificate the penalty the search avoids does not matter for scanning.
QR_MASK = 0


def _qr(verify_url: str):
    return segno.make_qr(verify_url, error="m", mask=QR_MASK)  # no Micro QR attempt first


# A round's verification URLs differ only in the certificate number after the last "/", and a
# QR code with a fixed version, error level and mask is an affine function of its data bits over
# GF(2) (the Reed-Solomon codewords are linear in the data codewords, the mask is a fixed XOR).
# So per URL prefix and number length the matrix of the prefix with a zero number and the modules
# each bit of the number flips are found once (8 segno encodings per character), and each
# certificate's matrix is then one XOR of numpy rows: about 0.05 ms instead of segno's 1-2 ms.
# The frame (about 130 encodings) pays from a few dozen certificates on: it is made once
# QR_FRAME_AFTER codes of one prefix were asked for (a ZIP), never for one download.
_qr_frames: dict[tuple[bytes, int], tuple[np.ndarray, np.ndarray] | None] = {}
_qr_seen: dict[tuple[bytes, int], int] = {}
MAX_QR_FRAMES = 16
QR_FRAME_AFTER = 16


def _segno_matrix(data) -> np.ndarray:
    return np.array(_qr(data).matrix, dtype=np.uint8)


def _qr_frame(prefix: bytes, n: int) -> tuple[np.ndarray, np.ndarray]:
    base = _segno_matrix(prefix + bytes(n))
    flips = np.empty((8 * n, base.size), dtype=np.uint8)
    for k in range(8 * n):
        if k % 8 == 0:  # the top bit of an ASCII character: never set
            flips[k] = 0
            continue
        number = bytearray(n)
        number[k // 8] = 0x80 >> (k % 8)
        flips[k] = (_segno_matrix(prefix + bytes(number)) ^ base).ravel()
    return base, flips


def _qr_dark(verify_url: str) -> np.ndarray:
    """The QR code's modules for ``verify_url`` (True: dark), what segno makes."""
    head, sep, number = verify_url.rpartition("/")
    # byte mode for every number (a lower-case letter before it), the same length: affine
    if not (sep and number and len(number) <= 64 and verify_url.isascii()) or head == head.upper():
        return _segno_matrix(verify_url).astype(bool)
    key = ((head + sep).encode(), len(number))
    frame = _qr_frames.get(key, False)
    if frame is False and _qr_seen.get(key, 0) < QR_FRAME_AFTER:
        if len(_qr_seen) >= MAX_QR_FRAMES * 64:
            _qr_seen.clear()
        _qr_seen[key] = _qr_seen.get(key, 0) + 1
        return _segno_matrix(verify_url).astype(bool)
    if frame is False:  # made once, and kept only if it gives segno's matrix
        frame = _qr_frame(*key)
        if not np.array_equal(_affine(frame, number), _segno_matrix(verify_url)):
            frame = None
        if len(_qr_frames) >= MAX_QR_FRAMES:
            _qr_frames.clear()
        _qr_frames[key] = frame
    if frame is None:
        return _segno_matrix(verify_url).astype(bool)
    return _affine(frame, number).astype(bool)


def _affine(frame: tuple[np.ndarray, np.ndarray], number: str) -> np.ndarray:
    base, flips = frame
    bits = np.unpackbits(np.frombuffer(number.encode(), dtype=np.uint8)).astype(bool)
    return base ^ np.bitwise_xor.reduce(flips[bits], axis=0).reshape(base.shape)


def qr_matrix(verify_url: str) -> tuple[tuple[int, ...], ...]:
    """The QR code's module matrix for ``verify_url`` (what the PDF embeds; tests compare)."""
    return tuple(tuple(int(v) for v in row) for row in _qr_dark(verify_url))


def qr_image(verify_url: str) -> Image.Image:
    """The QR code as a small greyscale image (dark modules 0), QR_SCALE pixels per module
    and a QR_BORDER-module quiet zone; embedding it costs far less than a PNG."""
    dark = _qr_dark(verify_url)
    pixels = np.where(np.pad(dark, QR_BORDER), 0, 255).astype(np.uint8)
    pixels = pixels.repeat(QR_SCALE, axis=0).repeat(QR_SCALE, axis=1)
    return Image.fromarray(pixels, mode="L")


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
    organiser: str = ""  # the letterhead of the berita acara and announcements
    address: str = ""

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
            settings.government.strip(),
            settings.place.strip(),
            image(settings.logo),
            signers,
            (settings.organiser or "").strip(),
            (settings.address or "").strip(),
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


@records_actor
def save_layout(
    *,
    round_: Round,
    government: str,
    place: str,
    signers: list[tuple[str, str]],
    images: dict[str, bytes | None],
    actor: User,
    organiser: str = "",
    address: str = "",
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
    settings.organiser, settings.address = organiser.strip(), address.strip()
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


REVOKED_RED = (190, 20, 20)


def centred(pdf: FPDF, width: float, h: float, text: str) -> None:
    """``multi_cell(width, h, text, align="C")`` at the current position, then on to the left
    margin below it. A text that fits on one line (nearly every line of a certificate) is placed
    with ``text`` where ``cell`` would place it: fpdf2's line breaking measures the text again for
    every character, and a cell's styled fragments cost several times a plain text operator."""
    text = plain(text)
    room = width or pdf.w - pdf.r_margin - pdf.x
    text_width = pdf.get_string_width(text)
    if "\n" in text or text_width > room - 2 * pdf.c_margin:
        pdf.multi_cell(width, h, text, align="C", new_x="LMARGIN", new_y="NEXT")
        return
    if text:  # baseline as fpdf2's cell sets it: 0.3 font sizes below the middle of the cell
        pdf.text(pdf.x + (room - text_width) / 2, pdf.y + h / 2 + 0.3 * pdf.font_size, text)
    pdf.set_xy(pdf.l_margin, pdf.y + h)


def draw_certificate(pdf: FPDF, cert: Certificate, verify_url: str, layout: Layout) -> None:
    """Draw one certificate as a new page of ``pdf`` (a ``new_document``; bulk generation may
    reuse one, so the fonts and the logo are embedded once)."""
    pdf.add_page()
    pdf.set_draw_color(*MAROON)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)

    def line(text, size, style="", h=10, color=INK):
        pdf.set_font(SANS, style, size)
        pdf.set_text_color(*color)
        centred(pdf, 0, h, text)

    y = 20
    if layout.logo:
        pdf.image(io.BytesIO(layout.logo), x=138.5, y=18, h=20)
        y = 40
    pdf.set_y(y)
    if layout.government:
        line(layout.government.upper(), 13, "B", 7)
    title, english, as_what = _heading(cert)
    line(title, 28, "B", 13, MAROON)
    line(english, 11, "", 6, GREY)  # two styles only: each embedded font costs every PDF
    pdf.ln(2)
    round_name = cert.round.name if cert.round else ""
    line(round_name, 15, "B", 8)
    line("diberikan kepada", 11, "", 7)
    line(cert.holder, 21, "B", 11)
    if cert.title:
        line("atas inovasi", 11, "", 7)
        line(f"\u201c{cert.title}\u201d", 15, "B", 8)
    pdf.ln(1)
    category = (
        f" Kategori {cert.category}" if cert.category and cert.kind == CertificateKind.AWARD else ""
    )
    line(f"{as_what}{category}", 16, "B", 9, MAROON)

    date = local_date(cert.issued_at)
    place = f"{layout.place}, " if layout.place else ""
    signers = layout.signers or (("Panitia", "", None),)
    width = 70
    xs = [150 - width / 2] if len(signers) == 1 else [62, 132]
    top = 150
    pdf.set_font(SANS, "", 10)
    pdf.set_text_color(*INK)
    pdf.set_xy(xs[-1], top - 8)
    centred(pdf, width, 5, f"{place}{date}")
    for x, (name, role, image) in zip(xs, signers):
        pdf.set_xy(x, top - 3)
        pdf.set_font(SANS, "", 9)
        centred(pdf, width, 4, role)
        if image:
            pdf.image(io.BytesIO(image), x=x + width / 2 - 15, y=top + 4, h=14)
        pdf.set_xy(x, top + 20)
        pdf.set_font(SANS, "BU", 10)
        centred(pdf, width, 5, name)

    pdf.image(qr_image(verify_url), x=240, y=152, w=34, h=34)
    pdf.set_xy(20, 186)
    pdf.set_font(SANS, "", 8)
    pdf.set_text_color(*GREY)
    footer = plain(f"Nomor: {cert.code}   Verifikasi: {verify_url}")
    pdf.text(20 + pdf.c_margin, 186 + 2 + 0.3 * pdf.font_size, footer)  # as cell(215, 4) would
    if cert.revoked_at is not None:
        _mark_revoked(pdf, cert)


def revoked_notice(cert: Certificate, replacement_code: str | None) -> str:
    """The sentence a revoked certificate carries (Indonesian, like the certificate)."""
    when = local_date(cert.revoked_at)
    out = f"PIAGAM INI TELAH DICABUT pada {when}"
    if cert.revoked_reason:
        out += f" (alasan: {cert.revoked_reason.rstrip('.')})"
    out += "."
    if replacement_code:
        out += f" Diganti dengan piagam nomor {replacement_code}."
    return out + " Piagam ini tidak berlaku."


def _mark_revoked(pdf: FPDF, cert: Certificate) -> None:
    """Cross the page out: a diagonal "DICABUT" and a red banner with the date, the reason and
    the replacing certificate's number."""
    replacement = certificate_register.replacement_of(cert) if cert.id is not None else None
    with pdf.local_context(fill_opacity=0.18, text_color=REVOKED_RED):
        with pdf.rotation(25, x=148.5, y=105):
            pdf.set_font(SANS, "B", 110)
            pdf.set_xy(10, 85)
            pdf.cell(277, 40, "DICABUT", align="C")
    pdf.set_fill_color(*REVOKED_RED)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(SANS, "B", 11)
    pdf.set_xy(18, 16)
    pdf.multi_cell(
        261,
        6,
        revoked_notice(cert, replacement.code if replacement else None),
        align="C",
        fill=True,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(*INK)


def new_document(title: str, created_at: datetime | None = None) -> FPDF:
    """An empty landscape document for certificates, dated ``created_at`` (the certificate's
    issue; bulk documents of many certificates may leave it to now)."""
    pdf = Document(
        title=title, created_at=created_at or utcnow(), orientation="L", page_numbers=False
    )
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
    pdf = new_document(f"Piagam {certificate.award} - {certificate.holder}", certificate.issued_at)
    draw_certificate(pdf, certificate, verify_url, layout or Layout())
    if certificate.revoked_at is not None or not SKELETONS:
        return bytes(pdf.output())
    return output_from_skeleton(pdf)  # the same bytes, the shared objects copied
