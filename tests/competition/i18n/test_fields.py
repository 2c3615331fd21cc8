"""Number fields reading a decimal comma or point (competition/i18n/fields.py)."""

from decimal import Decimal

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import NumberRange, Optional

from competition.i18n.fields import LocaleDecimalField, LocaleFloatField, parse_decimal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("78,5", Decimal("78.5")),
        ("78.5", Decimal("78.5")),
        (" 85 ", Decimal("85")),
        ("-1,25", Decimal("-1.25")),
        (",5", Decimal("0.5")),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_decimal_reads_comma_and_point(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["1.000,5", "7,8,5", "abc", "7 5", "inf", "nan", "1e3", "8,5x"])
def test_parse_decimal_refuses_anything_but_one_number(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


class _Form(FlaskForm):
    score = LocaleFloatField()
    weight = LocaleDecimalField(places=2)


def test_fields_read_a_comma_and_show_the_value_in_the_locale(app):
    with app.test_request_context("/", headers={"Accept-Language": "id"}):
        form = _Form(formdata=MultiDict({"score": "78,5", "weight": "12,25"}))
        assert form.validate()
        assert form.score.data == 78.5 and form.weight.data == Decimal("12.25")
        shown = _Form(formdata=None, data={"score": 85.0, "weight": Decimal("12.5")})
        assert shown.score._value() == "85" and shown.weight._value() == "12,50"
        shown.score.data = 78.5
        assert shown.score._value() == "78,5"
        bad = _Form(formdata=MultiDict({"score": "7,8,5", "weight": ""}))
        assert not bad.validate()
        assert bad.score.errors and bad.score._value() == "7,8,5"


def test_a_non_number_gets_one_message_not_also_the_range(app):
    """ "abc" in a field that also checks a range: "Not a number" alone, not also "between
    0 and 100" about a value that does not exist; an out-of-range number still gets the range."""

    class Ranged(FlaskForm):
        score = LocaleFloatField(validators=[Optional(), NumberRange(0, 100)])
        weight = LocaleDecimalField(validators=[Optional(), NumberRange(0, 100)])

    with app.test_request_context("/"):
        form = Ranged(MultiDict({"score": "abc", "weight": "1.000,5"}), meta={"csrf": False})
        assert not form.validate()
        assert form.score.errors == ["Bukan angka: ketik misalnya 78,5 atau 78.5."]
        assert form.weight.errors == ["Bukan angka: ketik misalnya 78,5 atau 78.5."]
        form = Ranged(MultiDict({"score": "150", "weight": "-1"}), meta={"csrf": False})
        assert not form.validate()
        assert len(form.score.errors) == 1 and len(form.weight.errors) == 1
