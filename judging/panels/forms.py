"""Forms of panels, conflicts of interest and assignment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from competition.forms import JuriForm


class AutoAssignForm(JuriForm):
    """How many judges per entry: previewed by GET (changes nothing), then confirmed by a
    POST carrying the preview's digest."""

    class Meta:
        csrf = False

    judges_per_entry = IntegerField(
        _l("Judges per entry"), default=3, validators=[InputRequired(), NumberRange(1, 20)]
    )
    submit = SubmitField(_l("Preview the automatic assignment"))


class ConfirmAssignForm(JuriForm):
    judges_per_entry = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, 20)]
    )
    digest = HiddenField()
    submit = SubmitField(_l("Confirm this assignment"))


class WithdrawForm(JuriForm):
    """A judge withdraws from the stage; their unscored entries go to other judges."""

    judge = SelectField(_l("Judge"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Withdraw and reassign"))


class ConflictForm(JuriForm):
    """The committee declares a conflict: a judge with one entry or a whole organisation."""

    judge = SelectField(_l("Judge"), coerce=int, validators=[InputRequired()])
    entry = SelectField(_l("Entry"), coerce=int, validators=[Optional()])
    organisation = SelectField(
        _l("or every entry of the organisation"), coerce=int, validators=[Optional()]
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Declare conflict"))


class AffiliationForm(JuriForm):
    """The organisation (OPD) a judge works for: never assigned to its entries."""

    judge = SelectField(_l("Judge"), coerce=int, validators=[InputRequired()])
    organisation = SelectField(_l("Works for"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save affiliation"))


class PanelForm(JuriForm):
    name = StringField(_l("Panel name"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Create panel"))


class PanelMemberForm(JuriForm):
    judge = SelectField(_l("Judge"), coerce=int, validators=[InputRequired()])
    is_chair = BooleanField(_l("Chair of the panel"))
    submit = SubmitField(_l("Add to the panel"))


class ManualAssignForm(JuriForm):
    entry = SelectField(_l("Entry"), coerce=int, validators=[InputRequired()])
    judge = SelectField(_l("Judge"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Assign"))


class BlindReviewForm(JuriForm):
    """Shown on the assignment page; saved by ``scoring.blind_review``."""

    blind_review = BooleanField(_l("Blind review: judges do not see the organisation's name"))
    submit = SubmitField(_l("Save"))
