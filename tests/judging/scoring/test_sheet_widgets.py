"""The score sheet's fast widgets render exactly what WTForms' own widgets render."""

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.widgets import NumberInput, TextArea, html_params

from judging.scoring.forms import _html_params, sheet_form_class
from judging.scoring.models import Criterion


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"name": "score_1", "id": "score_1", "type": "text", "value": "7,5", "step": "any"},
        {"data_min": 1, "data_max": 10, "data_name": 'Kebaruan "baru" <b>&', "data_weight": 20},
        {"disabled": True, "readonly": False, "required": True, "class_": "a b", "for": "x"},
        {"aria_describedby": "h", "value": None, "rows": 2},
        {"value": Markup('<i>"x"</i>'), "data_x_y": 3.5},
    ],
)
def test_html_params_is_wtforms_html_params(attributes):
    ours, theirs = _html_params(**attributes), html_params(**attributes)
    assert ours == theirs and isinstance(ours, Markup)


def test_sheet_fields_render_as_wtforms_widgets(app):
    criteria = [
        Criterion(id=3, name="Kebaruan", weight=60),
        Criterion(id=4, name="Dampak", weight=40),
    ]
    with app.test_request_context():
        form_class = sheet_form_class(criteria, 1, 10)
        data = MultiDict({"score_3": "7,5", "comment_3": 'Bagus "sekali" <script>', "score_4": "x"})
        form = form_class(formdata=data, meta={"csrf": False})
        form.validate()
        assert form.errors  # score_4 is not a number: rendered with the typed value
        stock = {"score": NumberInput(step="any"), "comment": TextArea()}
        for name in ("score_3", "comment_3", "score_4", "comment_4"):
            field = form[name]
            kwargs = {"data_weight": 60, "disabled": False, "data_name": "Kebaruan", "rows": 2}
            assert field(**kwargs) == stock[name.split("_")[0]](field, **kwargs), name
