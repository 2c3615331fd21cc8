"""Names of downloaded files (attachments, exports, certificates, minutes, ZIPs) and the
``Content-Disposition`` header that carries them.

A name may come from a user (the name an OPD's file had on its computer) or from data the
committee typed (a round's slug), so it is cleaned before it reaches a header or a disk:
no folder part (``../../etc/passwd`` is ``passwd``), no control or invisible formatting
characters (newlines would break the header; a right-to-left override would disguise
``gpj.exe`` as ``exe.jpg``), no quotes, backslashes or characters Windows refuses. Letters
outside ASCII are kept: the header carries them as RFC 5987 ``filename*`` (UTF-8) beside an
ASCII ``filename`` for old clients, exactly as ``flask.send_file(download_name=...)`` does.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from werkzeug.http import dump_options_header

MAX_LENGTH = 150
_REFUSED = set("\"'`\\/<>:|?*;")  # quotes, path separators and what Windows refuses in names


def safe_filename(name: str | None, fallback: str = "file") -> str:
    """``name`` made safe as a download or display name (see the module docstring); the
    ``fallback`` when nothing usable is left. At most ``MAX_LENGTH`` characters, the
    extension kept."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]  # the last path part, for either separator
    text = "".join(
        " " if c.isspace() else "_" if c in _REFUSED else c
        for c in text
        if c.isspace() or not unicodedata.category(c).startswith("C")
    )
    text = re.sub(r"\s+", " ", text).strip(" .")
    if len(text) > MAX_LENGTH:
        stem, dot, ext = text.rpartition(".")
        keep = ext if dot and stem and len(ext) <= 10 else ""
        text = (
            (text[: MAX_LENGTH - len(keep) - 1].rstrip(" .") + "." + keep)
            if keep
            else text[:MAX_LENGTH].rstrip(" .")
        )
    return text or fallback


def disposition(name: str | None, *, inline: bool = False, fallback: str = "file") -> str:
    """A ``Content-Disposition`` value for a download named ``name`` (cleaned first)."""
    clean = safe_filename(name, fallback)
    try:
        clean.encode("ascii")
    except UnicodeEncodeError:
        ascii_name = unicodedata.normalize("NFKD", clean).encode("ascii", "ignore").decode()
        stem, dot, ext = ascii_name.rpartition(".")
        if dot and not stem.strip(" ._-"):  # nothing left but the extension: 文件.pdf
            ascii_name = f"{fallback}.{ext}"
        options = {
            "filename": safe_filename(ascii_name, fallback),
            "filename*": f"UTF-8''{quote(clean, safe='!#$&+-.^_`|~')}",
        }
    else:
        options = {"filename": clean}
    return dump_options_header("inline" if inline else "attachment", options)
