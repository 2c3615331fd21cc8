"""What every PDF Juri prints shares: an embedded Unicode font, reproducible bytes, metadata,
page numbers, the letterhead (kop surat) and the signature block.

- **Font.** DejaVu Sans, shipped in ``competition/fonts`` (a Latin, Greek and Cyrillic subset
  of the free DejaVu fonts, see the README there), so a name such as "Ṣaḥīḥ" or "Zoë" and typographic
  quotes print as typed on any machine; the base-14 Helvetica of before covered Latin-1 only
  and was not embedded. A style is embedded (as a subset) only when the document uses it.
- **Reproducible.** The creation date is the document's own date (a publication's, an
  announcement's), never "now", and fpdf2 derives the file /ID from the content: the same
  inputs give the same bytes.
- **PDF/A-2B.** fpdf2 writes the XMP metadata and the sRGB output intent and refuses what
  PDF/A forbids (non-embedded fonts, encryption).

This module holds the ``Document`` and the blocks pages share (letterhead, signatures, dates,
plain text). The font files and what a process keeps of fonts and images between documents
are ``competition.pdf_assets``; writing a document from an earlier one's skeleton is
``competition.pdf_skeleton``.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import fpdf.output
import fpdf.syntax
from babel.dates import format_date
from flask import current_app, has_app_context
from fpdf import FPDF
from fpdf.fonts import SubsetMap
from fpdf.image_datastructures import ImageCache
from fpdf.image_parsing import preload_image
from PIL import Image

from competition.pdf_assets import (
    FONT_FILES,
    MAX_CACHED_IMAGES,
    MONO,
    SANS,
    _CachedTTFont,
    _image_infos,
    _lock,
    _register,
    _templates,
)

# Families older code asks for: all print in the embedded font.
ALIASES = {"helvetica": SANS, "arial": SANS, "times": SANS, "courier": MONO}
COMPLIANCE = "PDF/A-2B"
MAROON = (120, 20, 30)
GREY = (90, 90, 90)


_build_xmp = getattr(fpdf.output.OutputProducer, "_build_xmp_from_info", None)
_XMP_DATES = re.compile(r'xmp:(ModifyDate|MetadataDate)="[^"]*"')


def _reproducible_xmp(producer) -> str:
    """fpdf2's XMP stamps ModifyDate and MetadataDate with the time of writing: a
    ``Document`` gives them its creation date, so its bytes do not depend on the clock."""
    xmp = _build_xmp(producer)
    if isinstance(producer.fpdf, Document):
        created = re.search(r'xmp:CreateDate="([^"]*)"', xmp)
        if created:
            xmp = _XMP_DATES.sub(lambda m: f'xmp:{m.group(1)}="{created.group(1)}"', xmp)
    return xmp


if _build_xmp is not None:
    fpdf.output.OutputProducer._build_xmp_from_info = _reproducible_xmp


def local_date(value: datetime, fmt: str = "d MMMM y") -> str:
    """A date as official letters print it: Indonesian, in the deployment's time zone
    (``BABEL_DEFAULT_TIMEZONE``, Asia/Jakarta by default), so an event at 03:00 WIB is not
    dated the day before as its UTC date would be."""
    zone = "Asia/Jakarta"
    if has_app_context():
        zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or zone
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_date(value.astimezone(ZoneInfo(zone)), fmt, locale="id")


def plain(text) -> str:
    """Text as the PDF prints it: NFC (a decomposed "é" becomes one glyph), control characters
    other than newline and tab dropped."""
    text = unicodedata.normalize("NFC", str(text or ""))
    if text.isprintable():  # no control character (the usual case): nothing to drop
        return text
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


class Document(FPDF):
    """An A4 document in the embedded font, dated ``created_at`` (its own date: publication,
    issue), optionally numbered "Halaman X dari Y" in the footer."""

    def __init__(
        self,
        *,
        title: str,
        created_at: datetime,
        orientation: str = "P",
        subject: str = "",
        page_numbers: bool = True,
        footer_note: str = "",
    ):
        super().__init__(
            orientation=orientation, unit="mm", format="A4", enforce_compliance=COMPLIANCE
        )
        self.page_numbers = page_numbers
        self.footer_note = footer_note
        self.set_creation_date(created_at)
        self.set_title(plain(title))
        self.set_subject(plain(subject or title))
        self.set_author("Juri")
        self.set_creator("Juri")
        self.set_producer("Juri (fpdf2)")
        self.set_lang("id-ID")

    def set_font(self, family=None, style="", size=0):
        family = (family or self.font_family or SANS).lower()
        family = ALIASES.get(family, family)
        given = str(getattr(style, "value", style) or "").upper()
        base = ("B" if "B" in given else "") + ("I" if "I" in given else "")
        if family == MONO:
            base = ""
        if f"{family}{base}" not in self.fonts and (family, base) in FONT_FILES:
            _register(self, family, base)
        super().set_font(family, base + ("U" if "U" in given else ""), size)

    def cell(self, *args, **kwargs):
        if "text" in kwargs:
            kwargs["text"] = plain(kwargs["text"])
        elif len(args) >= 3:
            args = (*args[:2], plain(args[2]), *args[3:])
        return super().cell(*args, **kwargs)

    def multi_cell(self, *args, **kwargs):
        # fpdf2 justifies by default, which leaves wide gaps in narrow table cells.
        if len(args) < 5:
            kwargs.setdefault("align", "L")
        if "text" in kwargs:
            kwargs["text"] = plain(kwargs["text"])
        elif len(args) >= 3:
            args = (*args[:2], plain(args[2]), *args[3:])
        return super().multi_cell(*args, **kwargs)

    def image(self, name, *args, **kwargs):
        """``FPDF.image``; an image given as bytes (a round's logo and signatures, printed on
        every certificate) is parsed once per process, not once per document."""
        if isinstance(name, io.BytesIO | bytes):
            data = (name.getvalue() if isinstance(name, io.BytesIO) else name).strip()
            digest = hashlib.md5(data, usedforsecurity=False).hexdigest()  # fpdf2's image key
            if digest not in self.image_cache.images:
                info = _image_infos.get(digest)
                if info is None:
                    scratch = ImageCache()  # parsed outside any document
                    preload_image(scratch, io.BytesIO(data))
                    info = scratch.images[digest]
                    with _lock:
                        if len(_image_infos) >= MAX_CACHED_IMAGES:
                            _image_infos.clear()
                        _image_infos[digest] = info
                if info.get("iccp") is None:  # an ICC profile is numbered by the document
                    info = copy.copy(info)  # output sets the document's object id on it
                    info.update(i=len(self.image_cache.images) + 1, usages=0, iccp_i=None)
                    self.image_cache.images[digest] = info
        return super().image(name, *args, **kwargs)

    def _own_ttfonts(self) -> None:
        """Give each font registered by ``_register`` its own fontTools object (still the
        shared template's until now: fpdf2 reads it only when writing, and subsets it)."""
        for fontkey, key in self.__dict__.pop("juri_ttfonts_due", {}).items():
            font = self.fonts[fontkey]
            font.ttfont = _CachedTTFont(
                io.BytesIO(_templates[key][1]), lazy=True, recalcTimestamp=False
            )
            font.ttfont.juri_key = key

    def output(self, *args, **kwargs):
        self._own_ttfonts()
        try:
            return super().output(*args, **kwargs)
        finally:
            # fpdf2 caches SubsetMap.pick with functools.cache, which keeps every document's
            # fonts alive; bulk certificates would hold thousands. The cache is only a speed-up.
            SubsetMap.pick.cache_clear()

    def footer(self):
        if not (self.page_numbers or self.footer_note):
            return
        self.set_y(-12)
        self.set_font(SANS, "", 7.5)
        self.set_text_color(*GREY)
        if self.footer_note:
            self.cell(self.epw * 0.7, 5, self.footer_note, align="L")
            self.set_x(self.l_margin + self.epw * 0.7)
        if self.page_numbers:
            width = self.epw * (0.3 if self.footer_note else 1)
            self.cell(
                width,
                5,
                f"Halaman {self.page_no()} dari {self.str_alias_nb_pages}",
                align="R" if self.footer_note else "C",
            )
        self.set_text_color(0)


@dataclass(frozen=True)
class Letterhead:
    """The kop surat: the government (PEMERINTAH KOTA ...), the organising body, its address
    and logo (JPEG or PNG bytes), all optional."""

    government: str = ""
    organiser: str = ""
    address: str = ""
    logo: bytes | None = None

    def __bool__(self) -> bool:
        return bool(self.government or self.organiser or self.address or self.logo)


def draw_letterhead(pdf: FPDF, head: Letterhead) -> None:
    """The kop surat at the top of the current page: logo on the left, the names centred,
    the address below, closed by a thick and a thin rule. Nothing when nothing is set."""
    if not head:
        return
    top = pdf.get_y()
    logo_w = 0
    if head.logo:
        # At most 22 mm high and 32 mm wide, whatever the logo's proportions.
        with Image.open(io.BytesIO(head.logo)) as img:
            ratio = img.width / img.height if img.height else 1.0
        h = min(22.0, 32.0 / ratio)
        pdf.image(io.BytesIO(head.logo), x=pdf.l_margin, y=top, h=h)
        logo_w = h * ratio + 4
    x = pdf.l_margin + logo_w
    width = pdf.epw - 2 * logo_w
    pdf.set_xy(x, top)
    lines = [
        (head.government.upper(), "B", 12),
        (head.organiser.upper(), "B", 13),
        (head.address, "", 8.5),
    ]
    for text, style, size in lines:
        if text:
            pdf.set_font(SANS, style, size)
            pdf.set_x(x)
            pdf.multi_cell(width, size * 0.5, text, align="C", new_x="LEFT", new_y="NEXT")
    bottom = max(pdf.get_y(), top + (h + 1 if head.logo else 0)) + 1.5
    pdf.set_draw_color(0)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, bottom, pdf.l_margin + pdf.epw, bottom)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, bottom + 1.2, pdf.l_margin + pdf.epw, bottom + 1.2)
    pdf.set_xy(pdf.l_margin, bottom + 4)


@dataclass(frozen=True)
class Signer:
    name: str
    title: str
    image: bytes | None = None


SIGNATURE_HEIGHT = 40  # mm: place and date, title, room for the signature, name


def draw_signatures(
    pdf: FPDF,
    *,
    place_date: str,
    signers: list[Signer] | tuple[Signer, ...],
    beside: Block | None = None,
):
    """The signature block: "place, date" above the right-hand column, each signer's title,
    signature image (or room to sign) and underlined name; one signer sits on the right, two
    side by side. Starts a new page when it would not fit, so it never splits. A letter draws
    it through ``draw_closing``, which keeps it with the paragraph before it. ``beside`` (a
    ``Block`` at most ``SIGNATURE_HEIGHT`` - 6 mm tall and half the page wide, such as a QR
    code) fills the left-hand column next to a single signer, from the signer's title down."""
    ensure_room(pdf, SIGNATURE_HEIGHT)
    signers = list(signers)[:2] or [Signer("", "Panitia")]
    col = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font(SANS, "", 10)
    pdf.set_xy(pdf.l_margin + col, top)
    pdf.cell(col, 5, place_date, align="C")
    for k, signer in enumerate(signers):
        x = pdf.l_margin + (col if len(signers) == 1 or k == 1 else 0)
        pdf.set_xy(x, top + 6)
        pdf.set_font(SANS, "", 10)
        pdf.multi_cell(col, 5, signer.title, align="C")
        if signer.image:
            pdf.image(io.BytesIO(signer.image), x=x + col / 2 - 15, y=top + 15, h=14)
        pdf.set_xy(x, top + 32)
        pdf.set_font(SANS, "BU", 10)
        pdf.cell(col, 5, signer.name or "(..............................)", align="C")
    if beside is not None and len(signers) == 1:
        pdf.set_xy(pdf.l_margin, top + 6)
        beside(pdf)
    pdf.set_xy(pdf.l_margin, top + SIGNATURE_HEIGHT)


def ensure_room(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit above the bottom margin."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def text_height(pdf: FPDF, width: float, line_height: float, text: str) -> float:
    """The height ``multi_cell`` would take for ``text`` in the current font."""
    lines = pdf.multi_cell(width, line_height, plain(text), dry_run=True, output="LINES")
    return line_height * max(1, len(lines))


# Something drawn on a document: given the document (the real one, or the scratch copy on
# which ``fits`` tries it), it draws from the current position, setting the fonts it uses.
Block = Callable[[FPDF], object]


def paragraph(
    text: str, size: float = 10, style: str = "", h: float = 5.5, align: str = "L"
) -> Block:
    """A ``Block``: ``text`` across the page's width, in the sans font, then the next line."""

    def draw(pdf: FPDF) -> None:
        pdf.set_font(SANS, style, size)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(0, h, text, align=align, new_x="LMARGIN", new_y="NEXT")

    return draw


def space(height: float) -> Block:
    """A ``Block``: ``height`` mm of vertical space (``ln``); as the ``then`` of ``keep_together``,
    the room the text after a heading needs (two of its lines)."""
    return lambda pdf: pdf.ln(height)


def together(*blocks: Block) -> Block:
    """A ``Block``: ``blocks`` one after the other."""

    def draw(pdf: FPDF) -> None:
        for block in blocks:
            block(pdf)

    return draw


def fits(pdf: FPDF, *blocks: Block) -> bool:
    """Whether ``blocks``, drawn one after the other from the current position, all end on the
    current page above its bottom margin. They are tried on a scratch document laid out as
    ``pdf`` (page size, margins, position, font), so the text wraps and the page breaks
    exactly as fpdf2 will do them on ``pdf``, which is left untouched. (fpdf2's
    ``offset_rendering`` answers on ``pdf`` itself, but deep-copies the whole document twice,
    its fonts' parsed tables included: 12 ms a question on a two-page letter, where a
    paragraph tried here costs 0.3 ms; a table costs what drawing it costs.)"""
    scratch = Document(title="", created_at=pdf.creation_date, page_numbers=False)
    scratch.set_margins(pdf.l_margin, pdf.t_margin, pdf.r_margin)
    scratch.set_auto_page_break(pdf.auto_page_break, pdf.b_margin)
    scratch.c_margin = pdf.c_margin
    scratch.add_page(orientation="P", format=(pdf.w, pdf.h))
    for family, style in FONT_FILES:  # the styles ``pdf`` has (a table's bold heading row)
        if f"{family}{style}" in pdf.fonts:
            _register(scratch, family, style)
    if pdf.font_family:
        scratch.set_font(pdf.font_family, pdf.font_style, pdf.font_size_pt)
    scratch.set_xy(pdf.get_x(), pdf.get_y())
    for block in blocks:
        block(scratch)
        if scratch.page != 1:  # already over: the rest need not be tried
            return False
    return scratch.get_y() <= scratch.page_break_trigger + 1e-6


def keep_together(pdf: FPDF, *blocks: Block, then: Block | None = None) -> None:
    """Draw ``blocks`` on ``pdf`` one after the other, starting a new page first when they
    (and ``then``, tried but not drawn: the start of what follows, such as a heading's
    first two lines of text or its table's first row) would not all fit on the rest of this
    one. A page whose text has not begun yet is not given up (a new one would hold no more),
    so blocks taller than a page still break where they must."""
    tried = (*blocks, then) if then is not None else blocks
    if pdf.get_y() > pdf.t_margin + 1e-6 and not fits(pdf, *tried):
        pdf.add_page()
    for block in blocks:
        block(pdf)


def draw_closing(
    pdf: FPDF,
    last: Block,
    *,
    place_date: str,
    signers: list[Signer] | tuple[Signer, ...],
    gap: float = 2,
    beside: Block | None = None,
) -> None:
    """The end of an official letter: ``last`` (its last paragraph), ``gap`` mm, then the
    signature block (``draw_signatures``, with ``beside`` next to a single signer), on one
    page: when they do not fit on this one they start the next, so the place and date, the
    signatories' titles, the room to sign and their names never stand alone on a page, and
    always follow some of the letter's text."""
    keep_together(
        pdf,
        last,
        space(gap),
        lambda doc: draw_signatures(doc, place_date=place_date, signers=signers, beside=beside),
    )
