"""Number fields that read what people type in either language: "78,5" (Indonesian decimal
comma) and "78.5" both mean seventy-eight and a half, and a value is shown back in the reader's
locale ("78,5" in Indonesian). A number with both separators or several of them ("1.000,5")
is refused rather than guessed: scores and weights are small numbers without grouping."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, FloatField
from wtforms.validators import StopValidation

from competition.i18n.formatting import format_decimal

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

NOT_A_NUMBER = _l("Not a number: type for example 78,5 or 78.5.")


def parse_decimal(text: str | None) -> Decimal | None:
    """``text`` as a Decimal, with a comma or a point as the decimal separator; None for an
    empty text. Raises ValueError for anything else (letters, "1.000,5", "1,2,3", "inf")."""
    text = (text or "").strip().replace("\u2212", "-")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise ValueError(text)
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise ValueError(text) from exc


def show_decimal(value, places: int | None = None) -> str:
    """``value`` in the page's locale, without grouping, so the field reads it back."""
    if value is None:
        return ""
    pattern = "0." + "0" * places if places else "0.####"
    return format_decimal(value, pattern)


def _stop_after_not_a_number(field) -> None:
    """Text that is not a number gets "Not a number" only: the field's validators would add
    "Enter a score between 0 and 100." about a value that does not exist."""
    if field.process_errors:
        raise StopValidation()


class LocaleFloatField(FloatField):
    """A FloatField that accepts "78,5" as well as "78.5" and shows its value in the locale."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            value = parse_decimal(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(str(NOT_A_NUMBER)) from exc
        self.data = None if value is None else float(value)

    def pre_validate(self, form):
        _stop_after_not_a_number(self)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return show_decimal(self.data)


class LocaleDecimalField(DecimalField):
    """A DecimalField that accepts "78,5" as well as "78.5" and shows its value in the locale."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(str(NOT_A_NUMBER)) from exc

    def pre_validate(self, form):
        _stop_after_not_a_number(self)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return show_decimal(self.data, self.places)
