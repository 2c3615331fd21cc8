"""The fast number formatter gives exactly what Babel gives, in both languages."""

import math

import pytest
from flask import Flask
from flask_babel import Babel, force_locale
from flask_babel import format_decimal as babel_format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.i18n.formatting import format_decimal

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


def test_indonesian_uses_comma_for_decimals(app):
    with app.test_request_context(), force_locale("id"):
        assert format_decimal(8.75, "0.00") == "8,75"
        assert format_decimal(1234.5, "#,##0.00") == "1.234,50"


def test_other_patterns_go_to_babel(app):
    with app.test_request_context(), force_locale("en"):
        assert format_decimal(0.5, "#%") == babel_format_decimal(0.5, "#%")
        assert format_decimal(math.pi) == babel_format_decimal(math.pi)
