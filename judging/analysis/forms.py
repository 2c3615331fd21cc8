"""Forms of the analysis pages: the stage's method, the comparison, advancement, and the stage
weights of the combined final ranking."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from competition.forms import JuriForm
from competition.i18n.fields import LocaleDecimalField
from judging.analysis import methods


class AdvanceForm(JuriForm):
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
    threshold = LocaleDecimalField(
        _l("Score threshold"), places=2, validators=[Optional(), NumberRange(0, 1000)]
    )
    preview = SubmitField(_l("Show the suggestion"))


def _method_choices():
    return [SelectChoice(m.name, m.label) for m in methods.all_methods()]


class MethodForm(JuriForm):
    """Which method to show the ranking with (a GET filter: changes nothing)."""

    class Meta:
        csrf = False

    method = SelectField(_l("Normalization"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = _method_choices()


class StageMethodForm(JuriForm):
    """The stage's recorded method, chosen before the first score."""

    method = SelectField(_l("Normalization method of this stage"))
    submit = SubmitField(_l("Save method"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = _method_choices()


def weights_form(stages, **kwargs) -> JuriForm:
    """One percent field per scored stage (``combined.field_name``), for the combined final
    ranking; all empty clears the weights. The sum is checked by ``combined.set_stage_weights``."""

    class WeightsForm(JuriForm):
        submit = SubmitField(_l("Save the weights"))

    for stage in stages:
        setattr(
            WeightsForm,
            f"weight_{stage.id}",
            LocaleDecimalField(
                stage.name,
                places=None,
                validators=[
                    Optional(),
                    NumberRange(min=0, max=100, message=_l("A weight is between 0 and 100.")),
                ],
            ),
        )
    form = WeightsForm(**kwargs)
    form.stage_fields = [form[f"weight_{s.id}"] for s in stages]
    return form


ACROSS_LABELS = {
    "assume_equal": _l(
        "One ranking across groups, assuming each group's entries are equally strong on average "
        "(entries were split between panels at random)"
    ),
    "refuse": _l(
        "Places only within each group of linked judges (panels were formed by strength or theme)"
    ),
}


class AcrossForm(JuriForm):
    """The stage's rule for judges who share no entry (``Stage.uncertainty_across``)."""

    across = RadioField(_l("Judges who share no entry"), validators=[InputRequired()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.across.choices = [SelectChoice(k, str(v)) for k, v in ACROSS_LABELS.items()]


class CheckScoreForm(JuriForm):
    """The committee asks a judge to check a score that looks like a typing mistake: the
    sheet is reopened with this message (prefilled, editable), which the judge reads on it."""

    reason = TextAreaField(
        _l("Message to the judge"), validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Reopen the sheet and ask the judge"))
