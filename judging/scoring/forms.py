"""Forms of rubrics and score sheets."""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.core import Label
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput, NumberInput, SubmitInput, TextArea
from wtforms.widgets.core import clean_key

from competition.forms import JuriForm
from competition.i18n.fields import LocaleFloatField
from judging.scoring import rubric_templates
from judging.scoring.models import Criterion

_QUOT = Markup("&quot;")


def _html_params(**kwargs) -> Markup:
    """``wtforms.widgets.html_params``, the same output byte for byte, without its
    ``Markup.format`` per attribute (a pure-Python string.Formatter run each): a score sheet
    has two fields per criterion with a dozen attributes each, and rendering them was about a
    third of the sheet page's CPU time."""
    params = []
    for k, v in sorted(kwargs.items()):
        if v is True:
            params.append(_attribute_name(k)[0])
        elif v is not False:
            v = escape(v)  # escapes '"' unless v is Markup already, hence:
            if '"' in v:
                v = v.replace('"', _QUOT)
            params.append(f'{_attribute_name(k)[1]}="{v}"')
    return Markup(" ".join(params))


@functools.lru_cache(maxsize=512)
def _attribute_name(key: str) -> tuple[str, str]:
    """A keyword's attribute name as ``html_params`` writes it, bare (a boolean attribute) and
    escaped: the few names the templates use (``data_min`` -> ``data-min``, ``class_`` ->
    ``class``), worked out once per process rather than for each attribute of each field."""
    name = clean_key(key)
    return name, str(escape(name))


class _ScoreInput(NumberInput):
    """A FloatField's widget (``NumberInput(step="any")``) rendered with ``_html_params``."""

    html_params = staticmethod(_html_params)


class _CommentArea(TextArea):
    """``TextArea`` rendered with ``_html_params`` (the same markup as wtforms')."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        params = _html_params(name=field.name, **kwargs)
        return Markup(f"<textarea {params}>\r\n{escape(field._value())}</textarea>")


class _HiddenInput(HiddenInput):
    """``HiddenInput`` rendered with ``_html_params`` (Flask-WTF's ``hidden_tag`` still finds
    it: it looks for HiddenInput widgets)."""

    html_params = staticmethod(_html_params)


class _SubmitInput(SubmitInput):
    """``SubmitInput`` rendered with ``_html_params``."""

    html_params = staticmethod(_html_params)


class _Label(Label):
    """wtforms' ``Label`` rendered with ``_html_params``: the same markup."""

    def __call__(self, text=None, **kwargs):
        if "for_" in kwargs:
            kwargs["for"] = kwargs.pop("for_")
        else:
            kwargs.setdefault("for", self.field_id)
        attributes = _html_params(**kwargs)
        attributes = f" {attributes}" if attributes else ""
        return Markup(f"<label{attributes}>{escape(text or self.text)}</label>")


def _fast_label(field_class):
    """``field_class`` whose label renders with ``_html_params`` (``_Label``)."""

    class Field(field_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.label = _Label(self.label.field_id, self.label.text)

    Field.__name__ = Field.__qualname__ = field_class.__name__
    return Field


_SCORE_INPUT = _ScoreInput(step="any")
_COMMENT_AREA = _CommentArea()
_HIDDEN_INPUT = _HiddenInput()
_SUBMIT_INPUT = _SubmitInput()
_ScoreField = _fast_label(LocaleFloatField)
_TextAreaField = _fast_label(TextAreaField)


class CriterionForm(JuriForm):
    name = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("What judges look for"), validators=[Optional(), Length(max=2000)]
    )
    weight = IntegerField(_l("Weight (%)"), validators=[InputRequired(), NumberRange(1, 100)])
    bands = TextAreaField(
        _l("What the scores mean, one band per line"),
        description=_l('e.g. "1-3 kurang", "4-6 cukup", "7-8 baik", "9-10 sangat baik"'),
        validators=[Optional(), Length(max=4000)],
    )
    comment_required = BooleanField(_l("Judges must write a comment on this criterion"))
    submit = SubmitField(_l("Add criterion"))


class ScaleForm(JuriForm):
    scale_min = IntegerField(_l("Lowest score"), validators=[InputRequired(), NumberRange(0, 1000)])
    scale_max = IntegerField(
        _l("Highest score"), validators=[InputRequired(), NumberRange(1, 1000)]
    )
    pass_mark = LocaleFloatField(_l("Pass mark (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Save scale"))


class TemplateForm(JuriForm):
    template = SelectField(_l("Template"), validators=[InputRequired()])
    submit = SubmitField(_l("Apply template"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template.choices = [
            SelectChoice(k, t["name"]) for k, t in rubric_templates.TEMPLATES.items()
        ]


class RecuseForm(JuriForm):
    """A judge declares a conflict with the entry from the score sheet."""

    # rendered on every score sheet page: the fast widgets and label (same markup)
    reason = _TextAreaField(
        _l("Why you cannot judge this entry"),
        validators=[DataRequired(), Length(max=2000)],
        widget=_COMMENT_AREA,
    )
    recuse = SubmitField(_l("Recuse myself"), widget=_SUBMIT_INPUT)


class ReopenForm(JuriForm):
    """The committee unlocks a submitted sheet, saying why."""

    reason = StringField(
        _l("Why the sheet is reopened"), validators=[DataRequired(), Length(max=500)]
    )
    submit = SubmitField(_l("Reopen the sheet"))


class SheetForm(JuriForm):
    """Base of a stage's score-sheet form; ``sheet_form_class`` adds a score and a comment
    field per criterion."""

    # The sheet's version when the form was shown ("" = no sheet yet): a save from a stale
    # tab is refused instead of overwriting what another tab saved meanwhile.
    version = HiddenField(widget=_HIDDEN_INPUT)
    save = SubmitField(_l("Save draft"), widget=_SUBMIT_INPUT)
    send = SubmitField(_l("Submit scores"), widget=_SUBMIT_INPUT)
    # shown once a submission looked typed on a 1-10 scale (sheets.LooksLikeATenth)
    confirm_low = BooleanField(_l("These low scores are right: submit them as they are"))


def sheet_form_class(criteria: list[Criterion], lo: int, hi: int) -> type[SheetForm]:
    """The score sheet form of a rubric: a score and a comment field per criterion. Built once
    per process for each rubric and scale (a form class is only a description of its fields;
    building one, about half a millisecond, was paid on every score sheet request)."""
    return _sheet_form_class(tuple((c.id, c.name) for c in criteria), lo, hi)


@functools.lru_cache(maxsize=256)
def _sheet_form_class(criteria: tuple[tuple[int, str], ...], lo: int, hi: int) -> type[SheetForm]:
    attrs = {}
    for criterion_id, name in criteria:
        attrs[f"score_{criterion_id}"] = _ScoreField(
            name,
            validators=[
                Optional(),
                NumberRange(lo, hi, message=_l("Enter a score between %(min)s and %(max)s.")),
            ],
            widget=_SCORE_INPUT,
        )
        attrs[f"comment_{criterion_id}"] = _TextAreaField(
            _l("Comment"), validators=[Optional(), Length(max=5000)], widget=_COMMENT_AREA
        )
    return type("StageSheetForm", (SheetForm,), attrs)
