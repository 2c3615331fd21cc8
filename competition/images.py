"""Checks on every uploaded image (certificate logos and signatures, attachments and objection
evidence that are images) before it is stored: its real format, its pixel dimensions, and
decompression bombs (a small file declaring a huge picture, which would take seconds and
gigabytes to decode in each certificate PDF). Only the header is read: nothing is decoded.

``fit_for_print`` then scales an accepted image down to what print needs, so a certificate
embeds a few hundred kilobytes, not a 40-megapixel photo.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from competition.errors import JuriError

MAX_SIDE = 6000  # pixels, either side
MAX_PIXELS = 40_000_000  # 40 megapixels
FORMATS = ("PNG", "JPEG")

# A certificate prints a logo about 20 mm high and a signature 14 mm: at 300 dpi, well under
# this many pixels on the longer side.
PRINT_SIDE = 1200


class ImageRefused(JuriError):
    """An uploaded image was not stored; the message says why."""

    status = 422


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "PNG" or "JPEG"
    width: int
    height: int

    @property
    def extension(self) -> str:
        return "png" if self.format == "PNG" else "jpg"


def check_image(data: bytes, *, formats: tuple[str, ...] = FORMATS) -> ImageInfo:
    """The format and size of an uploaded image, read from its header (Pillow tries no other
    format than ``formats``); raises ``ImageRefused`` if it is not one of them, is damaged, or is wider or taller than
    ``MAX_SIDE`` or larger than ``MAX_PIXELS`` (past twice Pillow's ``MAX_IMAGE_PIXELS``, its
    ``DecompressionBombError`` refuses the file before its size is even known)."""
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS (89 MP) and raises past twice that; the size
            # is checked below against our own, lower limits, with a clearer message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(formats)) as img:
                fmt, (width, height) = img.format, img.size
                if _within(width, height):
                    img.verify()  # the chunks' checksums (PNG); decodes no pixels
    except Image.DecompressionBombError:
        raise ImageRefused(
            _l(
                "The image declares more pixels than %(mp)d megapixels; it cannot be used.",
                mp=MAX_PIXELS // 1_000_000,
            )
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused(
            _l("The file is not a readable image (%(formats)s).", formats=" / ".join(formats))
        ) from None
    if not _within(width, height):
        raise ImageRefused(
            _l(
                "The image is %(w)d × %(h)d pixels; at most %(side)d × %(side)d pixels and "
                "%(mp)d megapixels are accepted. Scale it down and upload it again.",
                w=width,
                h=height,
                side=MAX_SIDE,
                mp=MAX_PIXELS // 1_000_000,
            )
        )
    return ImageInfo(fmt, width, height)


def _within(width: int, height: int) -> bool:
    return 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and width * height <= MAX_PIXELS


def fit_for_print(data: bytes, *, side: int = PRINT_SIDE) -> bytes:
    """``data`` (an image that passed ``check_image``) scaled down so that its longer side is at
    most ``side`` pixels, in its own format; unchanged if already small enough."""
    with Image.open(io.BytesIO(data)) as img:
        if max(img.size) <= side:
            return data
        fmt = img.format
        img.load()
        img.thumbnail((side, side), Image.LANCZOS)
        if fmt == "JPEG" and img.mode not in ("RGB", "L", "CMYK"):
            img = img.convert("RGB")
        buf = io.BytesIO()
        img.save(buf, format=fmt, **({"quality": 92} if fmt == "JPEG" else {"optimize": True}))
        return buf.getvalue()
