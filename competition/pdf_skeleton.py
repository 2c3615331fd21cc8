"""Writing a document from the skeleton of an earlier one of the same shape
(``output_from_skeleton``; bulk certificates, issue 17 item 6): the objects the documents share
are copied from the first one's bytes, and only the page's content, the variable images, the
XMP metadata and the /ID are written anew, by fpdf2's own objects."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.fonts import SubsetMap
from fpdf.output import OutputProducer, PDFXrefAndTrailer
from fpdf.syntax import PDFContentStream

from competition.pdf_assets import _image_infos, _lock

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


def output_from_skeleton(pdf: FPDF) -> bytes:
    """``bytes(pdf.output())`` of a ``competition.pdf.Document``, faster for the second and later documents of one shape (a
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
