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
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import io
import re
import string
import textwrap
import threading
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import fpdf.output
import fpdf.syntax
from babel.dates import format_date
from flask import current_app, has_app_context
from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.image_datastructures import ImageCache
from fpdf.image_parsing import preload_image
from fpdf.output import OutputProducer, PDFXrefAndTrailer
from fpdf.syntax import PDFContentStream
from PIL import Image

FONT_DIR = Path(__file__).parent / "fonts"
SANS = "dejavu"
MONO = "dejavumono"
FONT_FILES = {
    (SANS, ""): "DejaVuSans.ttf",
    (SANS, "B"): "DejaVuSans-Bold.ttf",
    (SANS, "I"): "DejaVuSans-Oblique.ttf",
    (SANS, "BI"): "DejaVuSans-BoldOblique.ttf",
    (MONO, ""): "DejaVuSansMono.ttf",
}
# Families older code asks for: all print in the embedded font.
ALIASES = {"helvetica": SANS, "arial": SANS, "times": SANS, "courier": MONO}
COMPLIANCE = "PDF/A-2B"
MAROON = (120, 20, 30)
GREY = (90, 90, 90)

# Characters every embedded font subset holds, in this order, whatever the text: most documents
# then need the same glyphs, so the subset fpdf2 makes when writing is made once per process.
BASE_CHARS = string.printable.strip() + " \u00e9\u2013\u2014\u2018\u2019\u201c\u201d"

_templates: dict[tuple[str, str], tuple[TTFFont, bytes]] = {}
_subsets: dict[tuple, tuple[bytes, dict[str, int]]] = {}
_lock = threading.Lock()
MAX_CACHED_SUBSETS = 512
_image_infos: dict[str, dict] = {}  # md5 of an image's bytes -> fpdf2's parsed image
MAX_CACHED_IMAGES = 64


class _CachedTTFont(TTFont):
    """A fontTools font whose subset, once made for a set of glyphs, is reused: ``save``
    writes the cached bytes and ``getGlyphID`` answers from the cached glyph order."""

    juri_key: tuple = ()
    juri_subset: tuple[bytes, dict[str, int]] | None = None

    def getGlyphID(self, glyphName):  # noqa: N802 - fontTools' name
        if self.juri_subset is not None:
            return self.juri_subset[1][glyphName]
        return super().getGlyphID(glyphName)

    def save(self, file, *args, **kwargs):
        if self.juri_subset is not None:
            file.write(self.juri_subset[0])
            return None
        return super().save(file, *args, **kwargs)


class _Subsetter(ftsubset.Subsetter):
    """fontTools' subsetter, with the result cached for ``_CachedTTFont`` (fpdf2 subsets each
    document's fonts when writing it: about 0.07 s a font, paid once per glyph set instead)."""

    def subset(self, font):
        if not isinstance(font, _CachedTTFont):
            return super().subset(font)
        key = (font.juri_key, frozenset(self.glyph_names_requested))
        hit = _subsets.get(key)
        if hit is None:
            super().subset(font)
            buf = io.BytesIO()
            TTFont.save(font, buf)
            hit = (buf.getvalue(), {n: i for i, n in enumerate(font.getGlyphOrder())})
            with _lock:
                if len(_subsets) >= MAX_CACHED_SUBSETS:
                    _subsets.clear()
                    _compressed.clear()
                _subsets[key] = hit
                _compressed[hit[0]] = zlib.compress(hit[0], level=-1)
        font.juri_subset = hit
        return None


class _SubsetModule:
    """What ``fpdf.output`` uses of ``fontTools.subset``, with the caching subsetter."""

    Options = ftsubset.Options
    Subsetter = _Subsetter


fpdf.output.ftsubset = _SubsetModule  # only _CachedTTFont fonts behave differently

_compressed: dict[bytes, bytes] = {}  # a cached font subset -> its deflated stream


_streams: dict[bytes, bytes] = {}  # other streams every document repeats -> deflated
MAX_CACHED_STREAMS = 256
CACHED_STREAM_BYTES = 1024  # smaller streams cost less to deflate than to look up


class _Zlib:
    """``zlib`` for ``fpdf.syntax``: the stream of a cached font subset is deflated once, and so
    are the larger streams that documents repeat byte for byte (each font's 128 KB CIDToGIDMap,
    about 0.7 ms to deflate, and its ToUnicode map: the same for the same glyph set)."""

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def compress(data, level=-1):
        if level != -1:
            return zlib.compress(data, level=level)
        data = bytes(data)
        hit = _compressed.get(data)
        if hit is None and len(data) >= CACHED_STREAM_BYTES:
            hit = _streams.get(data)
            if hit is None:
                hit = zlib.compress(data, level=-1)
                with _lock:
                    if len(_streams) >= MAX_CACHED_STREAMS:
                        _streams.clear()
                    _streams[data] = hit
        return hit if hit is not None else zlib.compress(data, level=-1)


fpdf.syntax.zlib = _Zlib()

_cid_maps: dict[frozenset, str] = {}


def _cid_to_gid_map(code_to_glyph: dict[int, int]) -> str:
    """fpdf2's CIDToGIDMap of a font (two bytes per code, 128 KB), built once per glyph set:
    fpdf2 builds it as a list of 131,072 one-character strings, about 1 ms per font and
    document."""
    key = frozenset(code_to_glyph.items())
    hit = _cid_maps.get(key)
    if hit is None:
        out = bytearray(256 * 256 * 2)
        for code, glyph in code_to_glyph.items():
            out[code * 2 : code * 2 + 2] = glyph.to_bytes(2, "big")
        hit = out.decode("latin-1")
        with _lock:
            if len(_cid_maps) >= MAX_CACHED_SUBSETS:
                _cid_maps.clear()
            _cid_maps[key] = hit
    return hit


_CID_LOOP = re.compile(
    r'cid_to_gid_list = \["\\x00"\] \* 256 \* 256 \* 2\n'
    r"(?:[ ]+.*cid_to_gid_list\[.*\n|[ ]+for cc, glyph_i in code_to_glyph\.items\(\):\n)+"
    r'[ ]+cid_to_gid_map = "".join\(cid_to_gid_list\)'
)


def _patch_add_fonts() -> None:
    """``OutputProducer._add_fonts`` with its CIDToGIDMap loop replaced by ``_cid_to_gid_map``;
    left as it is when this fpdf2 writes it differently."""
    try:
        source = textwrap.dedent(inspect.getsource(fpdf.output.OutputProducer._add_fonts))
    except (OSError, TypeError):
        return
    patched, count = _CID_LOOP.subn("cid_to_gid_map = _juri_cid_to_gid_map(code_to_glyph)", source)
    if count != 1:
        return
    namespace: dict = {}
    exec(compile(patched, fpdf.output.__file__, "exec"), vars(fpdf.output), namespace)  # noqa: S102
    fpdf.output._juri_cid_to_gid_map = _cid_to_gid_map
    fpdf.output.OutputProducer._add_fonts = namespace["_add_fonts"]


_patch_add_fonts()

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


def _register(pdf: FPDF, family: str, style: str) -> None:
    """Add ``family``/``style`` to ``pdf``. Parsing a TrueType file costs fpdf2 about 0.1 s;
    bulk certificates render thousands of documents, so the parsed font is kept per process and
    each document gets a copy with its own glyph map and its own fontTools object (fpdf2
    subsets that object in place when writing). The ``BASE_CHARS`` are mapped first, in a fixed
    order, so the subset is usually one already made."""
    key = (family, style)
    path = FONT_DIR / FONT_FILES[key]
    fontkey = f"{family}{style}"
    if key not in _templates:
        with _lock:  # once per process: two threads parsing at once would leave a file open
            if key not in _templates:
                scratch = FPDF()
                scratch.add_font(family, style, path)
                _templates[key] = (scratch.fonts[fontkey], path.read_bytes())
    template, data = _templates[key]
    try:
        font = copy.copy(template)
        font.i = len(pdf.fonts) + 1
        # fpdf2 reads the fontTools object only when writing (it subsets it in place): each
        # document gets its own then (``_own_ttfonts``), none when written from a skeleton.
        font.desc = copy.copy(template.desc)  # fpdf2 gives it the document's object id
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        font.subset = _picked_subset(key, font)
    except AttributeError:  # another fpdf2 layout: the plain, slower way
        pdf.add_font(family, style, path)
        return
    pdf.fonts[fontkey] = font
    pdf.__dict__.setdefault("juri_ttfonts_due", {})[fontkey] = key


class _SubsetMap(SubsetMap):
    """fpdf2's glyph map of a document, answering for the ``BASE_CHARS`` (mapped first, in a
    fixed order, so their ids are those of the process's first map) from a dict: fpdf2 looks
    up every character of every text through two cached calls, a tenth of a certificate."""

    juri_ids: dict[int, int] = {}

    def pick(self, unicode):
        hit = self.juri_ids.get(unicode)
        return hit if hit is not None else SubsetMap.pick(self, unicode)

    pick.cache_clear = SubsetMap.pick.cache_clear  # fpdf2 clears it after writing


_picked: dict[tuple[str, str], tuple[SubsetMap, dict[int, int]]] = {}


def _picked_subset(key: tuple[str, str], font: TTFFont) -> SubsetMap:
    """A glyph map for ``font`` holding the ``BASE_CHARS``: picked once per process (about 100
    look-ups a style), then copied for each document (its own dict: the document adds its text's
    characters to it)."""
    hit = _picked.get(key)
    if hit is None:
        base = SubsetMap(font)
        ids = {}
        for char in BASE_CHARS:
            char_id = base.pick(ord(char))
            if char_id is not None:
                ids[ord(char)] = char_id
        hit = _picked[key] = (base, ids)
    base, ids = hit
    subset = copy.copy(base)
    subset.__class__ = _SubsetMap
    subset.juri_ids = ids
    subset.font = font
    subset._reserved = list(base._reserved)
    subset._char_id_per_glyph = dict(base._char_id_per_glyph)
    return subset


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


def draw_signatures(pdf: FPDF, *, place_date: str, signers: list[Signer] | tuple[Signer, ...]):
    """The signature block: "place, date" above the right-hand column, each signer's title,
    signature image (or room to sign) and underlined name; one signer sits on the right, two
    side by side. Starts a new page when it would not fit, so it never splits; call it right
    after the closing sentence, with ``keep_with`` room checked by the caller when that
    sentence must go along (``ensure_room``)."""
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
    pdf.set_xy(pdf.l_margin, top + SIGNATURE_HEIGHT)


def ensure_room(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit above the bottom margin."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def text_height(pdf: FPDF, width: float, line_height: float, text: str) -> float:
    """The height ``multi_cell`` would take for ``text`` in the current font."""
    lines = pdf.multi_cell(width, line_height, plain(text), dry_run=True, output="LINES")
    return line_height * max(1, len(lines))


# Writing a document from the skeleton of an earlier one (bulk certificates, issue 17 item 6).
#
# Thousands of certificates of a round differ only in their page's content stream, the QR
# image, the XMP metadata (title, date) and the file /ID; the fonts (the same glyph set), the
# logo, the signatures, the catalog and the ICC profile are the same objects byte for byte, and
# fpdf2 spends about half of a certificate's time building and serialising them again. The
# first document of a shape is written by fpdf2 and kept as a skeleton: its objects' bytes, in
# order, with the changing ones marked. A later document of the same shape gets fpdf2's own
# objects for the parts that change (``PDFContentStream``, ``_add_image``, ``_add_xmp_metadata``,
# ``PDFXrefAndTrailer``) spliced between the kept ones: the same bytes fpdf2 would write (the
# skeleton is only kept after writing its own document from it gave fpdf2's bytes exactly, and
# tests compare the two for varied certificates).


@dataclass
class _Skeleton:
    header: bytes
    parts: list  # per object, in order: (id, bytes) kept, or (id, "content"|"xmp"|k-th image)
    count: int  # the xref's size
    catalog_id: int


_skeletons: dict[tuple, _Skeleton | None] = {}  # shape -> skeleton (None: write with fpdf2)
MAX_SKELETONS = 64


class _RecordingProducer(OutputProducer):
    """fpdf2's producer, keeping each object's id and serialised bytes."""

    def bufferize(self):
        buffer = super().bufferize()
        starts = sorted((offset, obj_id) for obj_id, offset in self.offsets.items())
        ends = [offset for offset, _ in starts[1:]] + [buffer.rindex(b"xref\n")]
        self.juri_objects = [
            (obj_id, bytes(buffer[offset : end - 1])) for (offset, obj_id), end in zip(starts, ends)
        ]
        self.juri_header = bytes(buffer[: starts[0][0]])
        self.juri_count = self.obj_id + 1
        return buffer


def _variable_images(pdf: FPDF) -> list[dict] | None:
    """The used images not parsed from cached bytes (a certificate's QR code), by md5; None when
    one has a mask, a palette or an ICC profile (written as more than one object)."""
    out = []
    for digest, info in pdf.image_cache.images.items():
        if info.get("usages", 0) > 0 and digest not in _image_infos:
            if info.get("smask") or info.get("pal") or info.get("iccp") is not None:
                return None
            out.append(info)
    return out


def _shape(pdf: FPDF, variable: list[dict]) -> tuple | None:
    """What decides every object of ``pdf`` but its page content, its variable images, its
    XMP metadata and its /ID; None when the document has anything a skeleton does not cover."""
    catalog = pdf._resource_catalog
    if (
        not pdf._compliance  # without PDF/A an Info dictionary (title, dates) would be kept
        or pdf.pages_count != 1
        or pdf.toc_placeholder
        or pdf.embedded_files
        or pdf._outline
        or pdf._sign_key
        or pdf._security_handler is not None
        or pdf.struct_builder.doc_struct_elem.k
        or catalog.graphics_styles
        or catalog.soft_mask_xobjects
        or catalog.form_xobjects
        or catalog.optional_content_groups
        or any(page.annots for page in pdf.pages.values())
        or any(page.get_text_substitutions() for page in pdf.pages.values())
    ):
        return None
    fonts = tuple(
        (name, getattr(font, "i", None), tuple(font.subset._char_id_per_glyph.items()))
        for name, font in pdf.fonts.items()
    )
    images = tuple(
        (
            info.get("i"),
            info.get("usages", 0) > 0,
            (info["w"], info["h"], info["cs"], info["bpc"], info["f"], info["dp"])
            if any(info is v for v in variable)
            else digest,
        )
        for digest, info in pdf.image_cache.images.items()
    )
    resources = tuple(
        sorted(
            (page, str(kind), len(used))
            for (page, kind), used in catalog.resources_per_page.items()
        )
    )
    page = pdf.pages[1]
    return (
        type(pdf),
        pdf.pdf_version,
        pdf.compress,
        str(pdf._compliance),
        pdf.lang,
        pdf.allow_images_transparency,
        tuple(  # the catalog's
            repr(getattr(pdf, name, None))
            for name in ("zoom_mode", "page_layout", "page_mode", "viewer_preferences")
        ),
        page.dimensions(),
        fonts,
        images,
        resources,
        tuple(str(key) for key in catalog.resources),
        tuple(len(value) for value in catalog.resources.values()),
    )


def _splice(pdf: FPDF, skeleton: _Skeleton, contents: bytes, variable: list[dict]) -> bytes:
    producer = OutputProducer(pdf)
    buffer = bytearray(skeleton.header)
    offsets = {}
    for obj_id, part in skeleton.parts:
        offsets[obj_id] = len(buffer)
        if isinstance(part, bytes):
            buffer += part
        else:
            producer.obj_id = obj_id - 1
            if part == "content":
                obj = PDFContentStream(contents=contents, compress=pdf.compress)
                obj.id = obj_id
            elif part == "xmp":
                obj = producer._add_xmp_metadata()
            else:  # the k-th variable image
                obj = producer._add_image(variable[part])
            data = obj.serialize()
            buffer += data if isinstance(data, bytes) else data.encode("latin-1")
        buffer += b"\n"
    producer.obj_id = skeleton.count - 1
    producer.buffer, producer.offsets = buffer, offsets
    xref = PDFXrefAndTrailer(producer)
    xref.catalog_obj = type("Ref", (), {"id": skeleton.catalog_id})()
    buffer += xref.serialize().encode("latin-1") + b"\n"
    return bytes(buffer)


def output_from_skeleton(pdf: Document) -> bytes:
    """``bytes(pdf.output())``, faster for the second and later documents of one shape (a
    round's certificates): the objects they share are copied from the first one's bytes."""
    if pdf.page == 0 or pdf.buffer:
        return bytes(pdf.output())
    pdf._render_footer()  # what output() does first; the shape includes what the footer drew
    pdf._render_footer = lambda: None  # output() below must not draw it a second time
    variable = _variable_images(pdf)
    shape = _shape(pdf, variable) if variable is not None else None
    skeleton = _skeletons.get(shape, False) if shape is not None else None
    if skeleton is None:
        return bytes(pdf.output())
    if skeleton is not False:
        try:
            return _splice(pdf, skeleton, bytes(pdf.pages[1].contents), variable)
        finally:
            SubsetMap.pick.cache_clear()
    # the first of its shape: fpdf2 writes it, and the skeleton must give the same bytes
    contents = bytes(pdf.pages[1].contents)
    produced = {}

    def producer_class(fpdf_):
        producer = _RecordingProducer(fpdf_)
        produced["p"] = producer
        return producer

    data = bytes(pdf.output(output_producer_class=producer_class))
    producer = produced["p"]
    changing = {pdf.pages[1].contents.id: "content"}
    for k, info in enumerate(variable):
        changing[info["obj_id"]] = k
    for obj_id, obj_bytes in producer.juri_objects:
        if b"/Type /Metadata" in obj_bytes.split(b"stream", 1)[0]:
            changing[obj_id] = "xmp"
    parts = [
        (obj_id, changing.get(obj_id, obj_bytes)) for obj_id, obj_bytes in producer.juri_objects
    ]
    catalog = re.search(rb"/Root (\d+) 0 R", data[data.rindex(b"trailer") :])
    skeleton = _Skeleton(producer.juri_header, parts, producer.juri_count, int(catalog.group(1)))
    ok = "xmp" in changing.values() and _splice(pdf, skeleton, contents, variable) == data
    with _lock:
        if len(_skeletons) >= MAX_SKELETONS:
            _skeletons.clear()
        _skeletons[shape] = skeleton if ok else None
    return data
