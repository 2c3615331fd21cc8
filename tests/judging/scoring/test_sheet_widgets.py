"""The score sheet's fast widgets render exactly what WTForms' own widgets render."""

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import Label
from wtforms.widgets import HiddenInput, NumberInput, SubmitInput, TextArea, html_params

from judging.scoring.forms import RecuseForm, _html_params, sheet_form_class
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
    assert _html_params(**attributes) == theirs  # again: the attribute names are cached


def test_attribute_names_cached_per_keyword_not_per_value():
    """The names are worked out once per keyword; the values are escaped at every call."""
    first = _html_params(data_name="A & B", disabled=True, class_="x")
    second = _html_params(data_name='<b>"C"</b>', disabled=False, class_="y")
    assert first == html_params(data_name="A & B", disabled=True, class_="x")
    assert second == html_params(data_name='<b>"C"</b>', disabled=False, class_="y")
    assert second == 'class="y" data-name="&lt;b&gt;&#34;C&#34;&lt;/b&gt;"'


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


def test_sheet_labels_buttons_and_hidden_fields_render_as_wtforms_own(app):
    """The labels, the version field, the buttons and the recusal form of the score sheet
    page: the same markup as WTForms' stock Label, HiddenInput, SubmitInput and TextArea."""
    criteria = [Criterion(id=3, name='Kebaruan "baru" <b>', weight=100)]
    with app.test_request_context():
        form = sheet_form_class(criteria, 1, 10)(formdata=None, meta={"csrf": False})
        form.version.data = "7"
        recuse = RecuseForm(
            formdata=MultiDict({"reason": 'Saya "kenal" <x>'}), meta={"csrf": False}
        )
        fields = [form.score_3, form.comment_3, form.version, form.save, form.send]
        fields += [recuse.reason, recuse.recuse]
        for field in fields:
            stock = Label(field.label.field_id, field.label.text)
            for kwargs in ({}, {"class_": "x"}, {"for_": "y"}):
                assert field.label(**kwargs) == stock(**kwargs), field.name
            assert field.label() == stock()
        # the labels the page shows are the fast ones (the test above would pass without them)
        assert {type(f.label) for f in (form.score_3, form.comment_3, recuse.reason)} != {Label}
        assert form.version() == HiddenInput()(form.version)
        assert form.save(class_="secondary") == SubmitInput()(form.save, class_="secondary")
        assert form.send() == SubmitInput()(form.send)
        assert recuse.recuse(class_="s") == SubmitInput()(recuse.recuse, class_="s")
        assert recuse.reason(rows=2) == TextArea()(recuse.reason, rows=2)
        assert 'name="version"' in form.hidden_tag()  # still a hidden field for Flask-WTF


def test_the_form_class_is_built_once_per_rubric_and_scale(app):
    a = [Criterion(id=3, name="Kebaruan", weight=60), Criterion(id=4, name="Dampak", weight=40)]
    same = [Criterion(id=3, name="Kebaruan", weight=60), Criterion(id=4, name="Dampak", weight=40)]
    renamed = [Criterion(id=3, name="Kebaruan ide", weight=60), a[1]]
    assert sheet_form_class(a, 1, 10) is sheet_form_class(same, 1, 10)
    assert sheet_form_class(a, 1, 10) is not sheet_form_class(a, 1, 100)
    assert sheet_form_class(a, 1, 10) is not sheet_form_class(a[:1], 1, 10)
    with app.test_request_context():
        form = sheet_form_class(renamed, 1, 100)(
            formdata=MultiDict({"score_3": "50"}), meta={"csrf": False}
        )
        assert form.score_3.label.text == "Kebaruan ide"
        assert form.validate()  # 50 is on the 1-100 scale (not refused by the 1-10 class)
        assert not hasattr(form, "comment_5")
