"""The fast number formatter gives exactly what Babel gives, in both languages."""

import math

import pytest
from flask import Flask
from flask_babel import Babel, force_locale
from flask_babel import format_decimal as babel_format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.i18n.formatting import decimal_formatter, format_decimal

_BARE = Flask(__name__)  # no database: hypothesis runs many inputs in one fixture scope
Babel(_BARE)

PATTERNS = ["0", "0.0", "0.00", "+0.00;-0.00", "#,##0.00", "#,##0"]


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_same_as_babel_on_edge_values(app, locale, pattern):
    values = [
        0,
        -0.0,
        0.004,
        -0.004,
        0.005,
        2.675,
        -2.675,
        8.75,
        1234567.891,
        -1234.5,
        99.995,
        1e-9,
        12,
        -7,
    ]
    with app.test_request_context(), force_locale(locale):
        for v in values:
            assert format_decimal(v, pattern) == babel_format_decimal(v, pattern), (v, pattern)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    value=st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    pattern=st.sampled_from(PATTERNS),
    locale=st.sampled_from(["id", "en"]),
)
def test_same_as_babel_property(value, pattern, locale):
    with _BARE.test_request_context(), force_locale(locale):
        assert format_decimal(value, pattern) == babel_format_decimal(value, pattern)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    values=st.lists(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), max_size=5),
    pattern=st.sampled_from(PATTERNS),
    locale=st.sampled_from(["id", "en"]),
)
def test_a_formatter_made_once_gives_what_format_decimal_gives(values, pattern, locale):
    """``decimal_formatter`` (pattern and locale resolved once, for many numbers) and
    ``format_decimal`` agree, and so both agree with Babel."""
    with _BARE.test_request_context(), force_locale(locale):
        formatted = decimal_formatter(pattern)
        for value in values:
            assert formatted(value) == format_decimal(value, pattern)
            assert formatted(value) == babel_format_decimal(value, pattern)


def test_a_formatter_keeps_the_locale_it_was_made_in(app):
    with app.test_request_context():
        with force_locale("id"):
            in_indonesian = decimal_formatter("#,##0.00")
        with force_locale("en"):
            in_english = decimal_formatter("#,##0.00")
            assert in_indonesian(-1234.5) == "-1.234,50"
            assert in_english(-1234.5) == "-1,234.50"
        assert decimal_formatter("#%")(0.5) == babel_format_decimal(0.5, "#%")


def test_indonesian_uses_comma_for_decimals(app):
    with app.test_request_context(), force_locale("id"):
        assert format_decimal(8.75, "0.00") == "8,75"
        assert format_decimal(1234.5, "#,##0.00") == "1.234,50"


def test_other_patterns_go_to_babel(app):
    with app.test_request_context(), force_locale("en"):
        assert format_decimal(0.5, "#%") == babel_format_decimal(0.5, "#%")
        assert format_decimal(math.pi) == babel_format_decimal(math.pi)
