"""Property tests (hypothesis) for the parsers of what users type or upload: they answer every
input with a result or a clear refusal (JuriError), never a crash."""

import csv
import io

from flask import Flask
from flask_babel import Babel
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.accounts import imports
from competition.errors import JuriError
from competition.rounds import sections as proposal
from judging.results import numbers

_BARE = Flask(__name__)  # numbers need a secret key; messages need Babel; no database
_BARE.config["SECRET_KEY"] = "property-tests"
Babel(_BARE)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_certificate_numbers_never_crash_and_canonical_is_stable(text):
    with _BARE.app_context():
        number = numbers.canonical(text)
        if number is not None:
            assert numbers.canonical(number) == number  # idempotent
            assert len(number) == 19 and number.count("-") == 3
        assert numbers.is_well_formed(text) in (True, False)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(min_value=1, max_value=5), st.data())
def test_issued_numbers_survive_how_people_retype_them(count, data):
    with _BARE.app_context():
        for number in numbers.new_numbers(count):
            retyped = data.draw(
                st.sampled_from(
                    [
                        number.lower(),
                        number.replace("-", " "),
                        number.replace("-", ""),
                        f"  {number} ",
                    ]
                )
            )
            assert numbers.is_well_formed(retyped)
            # changing any one character breaks the check part
            i = data.draw(st.integers(0, len(number) - 1).filter(lambda k, n=number: n[k] != "-"))
            other = "2" if number[i] != "2" else "3"
            assert not numbers.is_well_formed(number[:i] + other + number[i + 1 :])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.dictionaries(
        st.sampled_from([s.name for s in proposal.SECTIONS]), st.text(max_size=3000), max_size=4
    )
)
def test_word_limits_report_exactly_the_sections_over_their_limit(data):
    over = proposal.over_limit(data)
    limits = proposal.limits()
    for name, text in data.items():
        words = len(text.split())
        assert (name in over) == (words > limits[name])
        if name in over:
            assert over[name] == (words, limits[name])


CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(st.lists(CELL, min_size=0, max_size=6), max_size=8),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
def test_import_parser_answers_any_csv_with_rows_or_a_refusal(rows, delimiter, bom):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([["username", "name", "role"], *rows])
    data = (("\ufeff" if bom else "") + buf.getvalue()).encode()
    with _BARE.test_request_context():
        try:
            parsed = imports.parse("akun.csv", data)
        except JuriError:
            return  # e.g. no row to import: refused with a message
        assert all(r.line >= 2 for r in parsed)
        assert all(r.username == r.username.lower() for r in parsed)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.binary(max_size=2000), st.sampled_from(["a.csv", "a.xlsx", "a.txt", "noext"]))
def test_import_parser_refuses_garbage_cleanly(data, filename):
    with _BARE.test_request_context():
        try:
            imports.parse(filename, data)
        except JuriError:
            pass


def test_stray_carriage_return_is_refused_not_crashed():
    """Found by the property test above on CI: a lone '\\r' made csv raise."""
    with _BARE.test_request_context():
        for data in (b"\r", b'username,name,role\r\nx,"a\rb",opd\r\n', b"a\rb,c"):
            try:
                imports.parse("akun.csv", data)
            except JuriError:
                pass
