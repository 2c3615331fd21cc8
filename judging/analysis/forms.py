"""Forms of the analysis pages: the stage's method, the comparison, and advancement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SubmitField,
)
from wtforms.validators import (
    InputRequired,
    NumberRange,
    Optional,
)

from judging.analysis.services import METHOD_LABELS
from judging.normalize import METHODS


class AdvanceForm(FlaskForm):
    """How the proposal is made: the top N of each category or a score threshold. Read from
    the query string for the preview (no CSRF needed there) and posted back on confirmation."""

    mode = RadioField(
        _l("Who advances"),
        choices=[
            SelectChoice("top", _l("The top N of each category")),
            SelectChoice("threshold", _l("Every entry at or above a score")),
        ],
        default="top",
        validators=[InputRequired()],
    )
    top_n = IntegerField(
        _l("N per category"), default=5, validators=[Optional(), NumberRange(1, 500)]
    )
    threshold = DecimalField(
        _l("Score threshold"), places=2, validators=[Optional(), NumberRange(0, 1000)]
    )
    preview = SubmitField(_l("Show the proposal"))


def _method_choices():
    return [SelectChoice(m, str(METHOD_LABELS[m])) for m in METHODS]


class MethodForm(FlaskForm):
    """Which method to show the ranking with (a GET filter: changes nothing)."""

    class Meta:
        csrf = False

    method = SelectField(_l("Normalization"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = _method_choices()


class StageMethodForm(FlaskForm):
    """The stage's recorded method, chosen before the first score."""

    method = SelectField(_l("Normalization method of this stage"))
    submit = SubmitField(_l("Save method"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = _method_choices()


ACROSS_LABELS = {
    "assume_equal": _l(
        "One ranking across groups, assuming each group's entries are equally strong on average "
        "(entries were split between panels at random)"
    ),
    "refuse": _l(
        "Places only within each group of linked judges (panels were formed by strength or theme)"
    ),
}


class AcrossForm(FlaskForm):
    """The stage's rule for judges who share no entry (``Stage.uncertainty_across``)."""

    across = RadioField(_l("Judges who share no entry"), validators=[InputRequired()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.across.choices = [SelectChoice(k, str(v)) for k, v in ACROSS_LABELS.items()]
