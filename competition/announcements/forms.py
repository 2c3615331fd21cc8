"""Forms of announcements and objections."""

from __future__ import annotations

import time

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
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
    ValidationError,
)

from competition.announcements import abuse
from competition.forms import JuriForm

# A form shown longer ago than this is refused (its stamp could be replayed by a script).
FORM_MAX_AGE = 24 * 3600


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
    """A public objection. Besides the fields people fill in, it carries two checks against
    scripts (``competition.announcements.abuse``): a signed time stamp of when it was shown
    (``shown``; sent too soon or never loaded: refused) and a field hidden from people
    (``website``) that only a script fills in."""

    entry = SelectField(_l("Innovation"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    contact = StringField(_l("Telephone or e-mail"), validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Objection"), validators=[DataRequired(), Length(max=5000)])
    evidence = TextAreaField(
        _l("Evidence (a link or a description, optional)"),
        validators=[Optional(), Length(max=2000)],
    )
    evidence_file = FileField(_l("Evidence file (PDF, JPEG or PNG, optional)"))
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    shown = HiddenField()
    submit = SubmitField(_l("Send the objection"))

    def validate_website(self, field):
        if field.data:
            raise ValidationError(_l("Leave the last field empty: it is a check against robots."))

    def validate_shown(self, field):
        age = abuse.form_age(field.data or "", time.time())
        if age is None or age > FORM_MAX_AGE:
            raise ValidationError(
                _l("This form has expired or was not loaded from this site. Please send it again.")
            )
        if age < abuse.setting("OBJECTION_MIN_SECONDS"):
            raise ValidationError(
                _l("The form was sent very quickly. Please check it and send it again.")
            )

    def validate_evidence_file(self, field):
        files = [f for f in request.files.getlist(field.name) if f and f.filename]
        if len(files) > 1:
            raise ValidationError(_l("Attach at most one evidence file."))

    def stamp(self) -> None:
        """Stamp the form as shown now (each time it is rendered)."""
        self.shown.data = abuse.stamp(time.time())


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
