"""Forms of rounds, categories, stages, caps, sections and invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
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
from wtforms.widgets import CheckboxInput, ListWidget

from competition.accounts.kinds import KIND_LABELS
from competition.forms import DT_FORMAT, JuriForm
from competition.rounds.models import StageKind
from competition.rounds.sections import (
    GROUP_LABELS,
    SECTIONS,
    EntryGroup,
)


class RoundForm(JuriForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    submission_opens_at = DateTimeLocalField(
        _l("Submissions open"), format=DT_FORMAT, validators=[InputRequired()]
    )
    submission_closes_at = DateTimeLocalField(
        _l("Submission deadline"), format=DT_FORMAT, validators=[InputRequired()]
    )
    use_template = BooleanField(
        _l(
            "Start with the usual stages (registration and submission, administrative "
            "screening, desk evaluation, presentation and interview, field verification, final "
            "ranking and announcement)"
        ),
        default=True,
    )
    submit = SubmitField(_l("Create round"))


STAGE_KIND_LABELS = {
    StageKind.SUBMISSION: _l("Submission"),
    StageKind.SCREENING: _l("Screening"),
    StageKind.SCORED: _l("Scored"),
    StageKind.ANNOUNCEMENT: _l("Announcement"),
}


class StageEditForm(JuriForm):
    name = StringField(_l("Stage name"), validators=[DataRequired(), Length(max=200)])
    opens_at = DateTimeLocalField(_l("Opens"), format=DT_FORMAT, validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), format=DT_FORMAT, validators=[InputRequired()])
    is_skipped = BooleanField(_l("Skip this stage"))
    submit = SubmitField(_l("Save stage"))


class CopyRoundForm(JuriForm):
    name = StringField(_l("Name of the new round"), validators=[DataRequired(), Length(max=200)])
    submission_opens_at = DateTimeLocalField(
        _l("Submissions open"),
        format=DT_FORMAT,
        validators=[InputRequired()],
        description=_l("Every date of the timeline moves by the same amount."),
    )
    submit = SubmitField(_l("Copy the round"))


class CapsForm(JuriForm):
    """The most entries one organisation may submit per group; empty means no cap."""

    cap_umum = IntegerField(_l("General (umum)"), validators=[Optional(), NumberRange(0, 1000)])
    cap_replikasi = IntegerField(
        _l("Replication (replikasi)"), validators=[Optional(), NumberRange(0, 1000)]
    )
    cap_khusus = IntegerField(_l("Special (khusus)"), validators=[Optional(), NumberRange(0, 1000)])
    submit = SubmitField(_l("Save the caps"))


class WordLimitsForm(JuriForm):
    """The word limit of each section for one round (fields added below); with
    ``sections_form_class``, each section's label and switch too."""

    submit = SubmitField(_l("Save the sections"))


for _section in SECTIONS:
    setattr(
        WordLimitsForm,
        _section.name,
        IntegerField(
            _section.label,
            default=_section.words,
            validators=[InputRequired(), NumberRange(20, 5000)],
        ),
    )


def sections_form_class(configured) -> type[WordLimitsForm]:
    """The round's section form: for each of ``configured`` (``(Section, on)`` pairs) its word
    limit (``<name>``), its label in the round (``label_<name>``, empty: the default) and
    whether it is switched off (``off_<name>``: unticked keeps it, so an older form that
    sends only limits switches nothing off)."""
    attrs = {}
    for section, _on in configured:
        if section.custom:
            attrs[section.name] = IntegerField(
                section.label, validators=[InputRequired(), NumberRange(20, 5000)]
            )
        attrs[f"label_{section.name}"] = StringField(
            _l("Label in this round"), validators=[Optional(), Length(max=200)]
        )
        attrs[f"off_{section.name}"] = BooleanField(_l("Switched off"))
    return type("SectionsForm", (WordLimitsForm,), attrs)


class CustomSectionForm(JuriForm):
    """A section the committee adds to the proposal of one round."""

    label = StringField(_l("Name of the section"), validators=[DataRequired(), Length(max=200)])
    help = StringField(
        _l("Guidance for the participants"), validators=[Optional(), Length(max=500)]
    )
    words = IntegerField(
        _l("Word limit"), default=300, validators=[InputRequired(), NumberRange(20, 5000)]
    )
    groups = SelectMultipleField(
        _l("Groups whose form has it"),
        choices=[SelectChoice(g.value, GROUP_LABELS[g]) for g in EntryGroup],
        default=[g.value for g in EntryGroup],
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Add the section"))


class InvitationsForm(JuriForm):
    organisations = SelectMultipleField(
        _l("Organisations invited to the special group (khusus)"),
        coerce=int,
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save the invitations"))


class EligibilityForm(JuriForm):
    """Who may enter the round: kinds of organisation and/or named organisations."""

    kinds = SelectMultipleField(
        _l("Kinds of organisation that may enter"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    organisations = SelectMultipleField(
        _l("Organisations that may enter (an agency with its units)"),
        coerce=int,
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save who may enter"))


class CategoryForm(JuriForm):
    name = StringField(_l("Category name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add category"))


class StageForm(JuriForm):
    name = StringField(_l("Stage name"), validators=[DataRequired(), Length(max=200)])
    opens_at = DateTimeLocalField(
        _l("Scoring opens"), format=DT_FORMAT, validators=[InputRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Scoring closes"), format=DT_FORMAT, validators=[InputRequired()]
    )
    scale_min = IntegerField(
        _l("Lowest score"), default=1, validators=[InputRequired(), NumberRange(0, 1000)]
    )
    scale_max = IntegerField(
        _l("Highest score"), default=10, validators=[InputRequired(), NumberRange(1, 1000)]
    )
    winners_per_category = IntegerField(
        _l("Winners per category"), default=3, validators=[InputRequired(), NumberRange(1, 50)]
    )
    kind = SelectField(
        _l("Kind of stage"),
        choices=[SelectChoice(k.value, STAGE_KIND_LABELS[k]) for k in StageKind],
        default=StageKind.SCORED.value,
    )
    submit = SubmitField(_l("Add stage"))
