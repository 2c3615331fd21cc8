"""Cleaning typed text of control characters, for forms (what is stored) and exports (what
older data may still hold).

A vertical tab or form feed pasted from a word processor makes an XLSX file invalid (openpyxl
refuses it), and a NUL byte cannot be stored in PostgreSQL's text columns: both were 500s. Tab,
newline and carriage return are kept; vertical tab and form feed become a newline (they separate
lines where they come from); every other C0 control character and NUL is dropped.
"""

from __future__ import annotations

import re

_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def clean_text(value):
    """``value`` without control characters (see the module docstring); non-strings as they are."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.translate(_LINE_BREAKS))
