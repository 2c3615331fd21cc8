"""What a PDF embeds, and what a process keeps of it between documents: the DejaVu font
files and families (``SANS``, ``MONO``), each font parsed once, its subsets made once per glyph
set and their deflated streams, the CIDToGIDMaps and glyph maps, and the images given as bytes
parsed once; with the hooks into fpdf2 that use these caches (its subsetter, its ``zlib``, its
CIDToGIDMap loop). Bulk certificates render thousands of documents: each is paid once.

Imported by ``competition.pdf``, so the hooks are in place before any document is written."""

from __future__ import annotations

import copy
import inspect
import io
import re
import string
import textwrap
import threading
import zlib
from pathlib import Path

import fpdf.output
import fpdf.syntax
from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

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
