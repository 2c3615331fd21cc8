"""Forms of announcements and objections."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
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


class AnnounceForm(JuriForm):
    title = StringField(
        _l("Subject of the announcement"), validators=[DataRequired(), Length(max=300)]
    )
    objection_days = IntegerField(
        _l("Public objection period (days)"),
        default=5,
        description=_l(
            "Anyone may object to a listed innovation during this period; leave "
            "empty for no objection period."
        ),
        validators=[Optional(), NumberRange(1, 60)],
    )
    submit = SubmitField(_l("Issue the announcement"))


class ObjectionForm(JuriForm):
    entry = SelectField(_l("Innovation"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    contact = StringField(_l("Telephone or e-mail"), validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Objection"), validators=[DataRequired(), Length(max=5000)])
    evidence = TextAreaField(
        _l("Evidence (a link or a description, optional)"),
        validators=[Optional(), Length(max=2000)],
    )
    evidence_file = FileField(_l("Evidence file (PDF, JPEG or PNG, optional)"))
    submit = SubmitField(_l("Send the objection"))


class ObjectionDecisionForm(JuriForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("upheld", _l("Objection upheld")),
            SelectChoice("rejected", _l("Objection rejected")),
        ],
        validators=[InputRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))
