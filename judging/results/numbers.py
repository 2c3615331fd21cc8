"""Certificate numbers that cannot be guessed or forged.

A number is 16 Crockford base-32 characters in four groups, e.g. ``7F3A-91C2-0B4D-E6F8``: a
40-bit random serial followed by a 40-bit check part, the first 40 bits of
HMAC-SHA256(key, serial). The key is derived from ``JURI_CERTIFICATE_KEY`` (default: the
server's ``SECRET_KEY``), so only the server can make a number whose check part matches, and a
made-up or mistyped number is rejected by arithmetic alone, before any database query
(``is_well_formed``). Guessing a valid number takes about 2^40 tries per certificate.

Crockford's alphabet has no I, L, O or U; when reading a number back, O is taken for 0 and
I/L for 1, spaces and dashes are ignored, and case does not matter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


_VALUE = {c: i for i, c in enumerate(ALPHABET)}


_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})


_SHAPE = re.compile(r"[0-9A-HJKMNP-TV-Z]{16}")


SERIAL_BITS = 40  # and as many check bits: the first 5 bytes of the HMAC


def _key() -> bytes:
    secret = current_app.config.get("CERTIFICATE_KEY") or current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    # Domain separation: the same SECRET_KEY also signs sessions.
    return hmac.new(secret, b"juri certificate numbers v1", hashlib.sha256).digest()


# RFC 4648 base 32 of 5 bytes is 8 characters; mapping its alphabet onto Crockford's gives the
# same digits as repeated division by 32, at C speed (publishing numbers 40,000 certificates).
_RFC_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)


def _b32(five: bytes) -> str:
    return base64.b32encode(five).decode().translate(_RFC_TO_CROCKFORD)


def _check(serial: str, key: bytes) -> str:
    return _b32(hmac.digest(key, serial.encode(), "sha256")[:5])


def _group(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def new_numbers(count: int) -> list[str]:
    """``count`` distinct fresh certificate numbers (one key derivation for all of them)."""
    key = _key()
    out: dict[str, None] = {}
    while len(out) < count:
        need = count - len(out)
        # One random draw and one base-32 encoding for the whole batch.
        joined = _b32(secrets.token_bytes(need * SERIAL_BITS // 8))
        serials = [joined[i : i + 8] for i in range(0, len(joined), 8)]
        checks = _b32(b"".join(hmac.digest(key, s.encode(), "sha256")[:5] for s in serials))
        for i, s in enumerate(serials):
            c = checks[8 * i : 8 * i + 8]
            out[f"{s[:4]}-{s[4:]}-{c[:4]}-{c[4:]}"] = None
    return list(out)


def new_number() -> str:
    return new_numbers(1)[0]


def canonical(text: str) -> str | None:
    """The number in its printed form, or None when it is not shaped like one."""
    raw = re.sub(r"[\s\-]", "", text or "").upper().translate(_TYPO)
    return _group(raw) if _SHAPE.fullmatch(raw) else None


def is_well_formed(text: str) -> bool:
    """True when ``text`` is a number this server could have issued (its check part matches).
    No database query: forged and altered numbers stop here."""
    number = canonical(text)
    if number is None:
        return False
    raw = number.replace("-", "")
    return hmac.compare_digest(_check(raw[:8], _key()), raw[8:])


_LEGACY = re.compile(r"[0-9A-F]{4}(?:-[0-9A-F]{4}){4}")


def is_legacy(text: str) -> bool:
    """A number in the format of Juri's first certificates (80 random bits in five hex groups,
    unguessable but without a check part): still looked up, so printed ones stay checkable."""
    return bool(_LEGACY.fullmatch((text or "").strip().upper()))
