"""Flask-WTF forms of the competition side (CSRF on every one)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from competition.models import StageKind
from competition.proposal import GROUP_LABELS, SECTION_NAMES, SECTIONS, EntryGroup, count_words

DT_FORMAT = "%Y-%m-%dT%H:%M"


def local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime) -> datetime:
    """A naive datetime typed in the deployment's time zone (e.g. WIB) as aware UTC."""
    return local.replace(tzinfo=local_tz()).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_tz()).replace(tzinfo=None)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class ActionForm(FlaskForm):
    """An empty form for buttons that POST (publish, open...): it carries the CSRF token."""


class RoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    submission_opens_at = DateTimeLocalField(
        _l("Submissions open"), format=DT_FORMAT, validators=[InputRequired()])
    submission_closes_at = DateTimeLocalField(
        _l("Submission deadline"), format=DT_FORMAT, validators=[InputRequired()])
    use_template = BooleanField(
        _l("Start with the usual stages (registration and submission, administrative "
           "screening, desk evaluation, presentation and interview, field verification, final "
           "ranking and announcement)"), default=True)
    submit = SubmitField(_l("Create round"))


STAGE_KIND_LABELS = {
    StageKind.SUBMISSION: _l("Submission"),
    StageKind.SCREENING: _l("Screening"),
    StageKind.SCORED: _l("Scored"),
    StageKind.ANNOUNCEMENT: _l("Announcement"),
}


class StageEditForm(FlaskForm):
    name = StringField(_l("Stage name"), validators=[DataRequired(), Length(max=200)])
    opens_at = DateTimeLocalField(_l("Opens"), format=DT_FORMAT, validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), format=DT_FORMAT, validators=[InputRequired()])
    is_skipped = BooleanField(_l("Skip this stage"))
    submit = SubmitField(_l("Save stage"))


class CopyRoundForm(FlaskForm):
    name = StringField(_l("Name of the new round"), validators=[DataRequired(), Length(max=200)])
    submission_opens_at = DateTimeLocalField(
        _l("Submissions open"), format=DT_FORMAT, validators=[InputRequired()],
        description=_l("Every date of the timeline moves by the same amount."))
    submit = SubmitField(_l("Copy the round"))


class ScreeningForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[
        SelectChoice("eligible", _l("Eligible: goes on to judging")),
        SelectChoice("ineligible", _l("Not eligible")),
    ], validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (the OPD reads it)"),
                           validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))


class AdvanceForm(FlaskForm):
    """How the proposal is made: the top N of each category or a score threshold. Read from
    the query string for the preview (no CSRF needed there) and posted back on confirmation."""

    mode = RadioField(_l("Who advances"), choices=[
        SelectChoice("top", _l("The top N of each category")),
        SelectChoice("threshold", _l("Every entry at or above a score")),
    ], default="top", validators=[InputRequired()])
    top_n = IntegerField(_l("N per category"), default=5,
                         validators=[Optional(), NumberRange(1, 500)])
    threshold = DecimalField(_l("Score threshold"), places=2,
                             validators=[Optional(), NumberRange(0, 1000)])
    preview = SubmitField(_l("Show the proposal"))


class EntryFilterForm(FlaskForm):
    """Filters of the round dashboard, read from the query string (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search title or OPD"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), coerce=str, validators=[Optional()])
    state = SelectField(_l("Status"), validators=[Optional()], choices=[
        SelectChoice("", _l("all")), SelectChoice("draft", _l("draft")),
        SelectChoice("submitted", _l("submitted")),
        SelectChoice("pending", _l("not screened yet")),
        SelectChoice("eligible", _l("eligible")), SelectChoice("ineligible", _l("not eligible"))])
    group = SelectField(_l("Group"), validators=[Optional()], choices=[
        SelectChoice("", _l("all")),
        *(SelectChoice(g.value, GROUP_LABELS[g]) for g in EntryGroup)])


class CapsForm(FlaskForm):
    """The most entries one organisation may submit per group; empty means no cap."""

    cap_umum = IntegerField(_l("General (umum)"), validators=[Optional(), NumberRange(0, 1000)])
    cap_replikasi = IntegerField(_l("Replication (replikasi)"),
                                 validators=[Optional(), NumberRange(0, 1000)])
    cap_khusus = IntegerField(_l("Special (khusus)"), validators=[Optional(), NumberRange(0, 1000)])
    submit = SubmitField(_l("Save the caps"))


class RegionForm(FlaskForm):
    """Where an organisation is: its kabupaten/kota and province."""

    region = StringField(_l("Regency or city (kabupaten/kota)"),
                         validators=[Optional(), Length(max=200)])
    province = StringField(_l("Province"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Save"))


class AnnounceForm(FlaskForm):
    title = StringField(_l("Subject of the announcement"),
                        validators=[DataRequired(), Length(max=300)])
    objection_days = IntegerField(
        _l("Public objection period (days)"), default=5,
        description=_l("Anyone may object to a listed innovation during this period; leave "
                       "empty for no objection period."),
        validators=[Optional(), NumberRange(1, 60)])
    submit = SubmitField(_l("Issue the announcement"))


class ObjectionForm(FlaskForm):
    entry = SelectField(_l("Innovation"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    contact = StringField(_l("Telephone or e-mail"), validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Objection"), validators=[DataRequired(), Length(max=5000)])
    evidence = TextAreaField(_l("Evidence (a link or a description, optional)"),
                             validators=[Optional(), Length(max=2000)])
    evidence_file = FileField(_l("Evidence file (PDF, JPEG or PNG, optional)"))
    submit = SubmitField(_l("Send the objection"))


class ObjectionDecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[
        SelectChoice("upheld", _l("Objection upheld")),
        SelectChoice("rejected", _l("Objection rejected")),
    ], validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))


class UnitForm(FlaskForm):
    """An Admin Lokal creates a unit of the agency with its first account."""

    name = StringField(_l("Name of the unit"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    submit = SubmitField(_l("Create the unit"))


class WordLimitsForm(FlaskForm):
    """The word limit of each section for one round (fields added below); with
    ``sections_form_class``, each section's label and switch too."""

    submit = SubmitField(_l("Save the sections"))


for _section in SECTIONS:
    setattr(WordLimitsForm, _section.name, IntegerField(
        _section.label, default=_section.words,
        validators=[InputRequired(), NumberRange(20, 5000)]))


def sections_form_class(configured) -> type[WordLimitsForm]:
    """The round's section form: for each of ``configured`` (``(Section, on)`` pairs) its word
    limit (``<name>``), its label in the round (``label_<name>``, empty: the default) and
    whether it is switched off (``off_<name>``: unticked keeps it, so an older form that
    sends only limits switches nothing off)."""
    attrs = {}
    for section, _on in configured:
        if section.custom:
            attrs[section.name] = IntegerField(
                section.label, validators=[InputRequired(), NumberRange(20, 5000)])
        attrs[f"label_{section.name}"] = StringField(
            _l("Label in this round"), validators=[Optional(), Length(max=200)])
        attrs[f"off_{section.name}"] = BooleanField(_l("Switched off"))
    return type("SectionsForm", (WordLimitsForm,), attrs)


class CustomSectionForm(FlaskForm):
    """A section the committee adds to the proposal of one round."""

    label = StringField(_l("Name of the section"), validators=[DataRequired(), Length(max=200)])
    help = StringField(_l("Guidance for the participants"),
                       validators=[Optional(), Length(max=500)])
    words = IntegerField(_l("Word limit"), default=300,
                         validators=[InputRequired(), NumberRange(20, 5000)])
    groups = SelectMultipleField(
        _l("Groups whose form has it"),
        choices=[SelectChoice(g.value, GROUP_LABELS[g]) for g in EntryGroup],
        default=[g.value for g in EntryGroup], validators=[DataRequired()])
    submit = SubmitField(_l("Add the section"))


class InvitationsForm(FlaskForm):
    organisations = SelectMultipleField(
        _l("Organisations invited to the special group (khusus)"), coerce=int,
        validators=[Optional()])
    submit = SubmitField(_l("Save the invitations"))


class ReasonForm(FlaskForm):
    """A committee decision that must carry a reason (reopening, overriding...)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class CategoryForm(FlaskForm):
    name = StringField(_l("Category name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add category"))


class StageForm(FlaskForm):
    name = StringField(_l("Stage name"), validators=[DataRequired(), Length(max=200)])
    opens_at = DateTimeLocalField(_l("Scoring opens"), format=DT_FORMAT,
                                  validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Scoring closes"), format=DT_FORMAT,
                                   validators=[InputRequired()])
    scale_min = IntegerField(_l("Lowest score"), default=1,
                             validators=[InputRequired(), NumberRange(0, 1000)])
    scale_max = IntegerField(_l("Highest score"), default=10,
                             validators=[InputRequired(), NumberRange(1, 1000)])
    winners_per_category = IntegerField(_l("Winners per category"), default=3,
                                        validators=[InputRequired(), NumberRange(1, 50)])
    kind = SelectField(_l("Kind of stage"),
                       choices=[SelectChoice(k.value, STAGE_KIND_LABELS[k]) for k in StageKind],
                       default=StageKind.SCORED.value)
    submit = SubmitField(_l("Add stage"))


class WordLimit:
    """At most ``limit`` words (the service checks again; this marks the field)."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field):
        # A round may set its own limits: the view puts them on the form.
        limit = getattr(form, "word_limits", {}).get(field.name, self.limit)
        count = count_words(field.data)
        if count > limit:
            raise ValidationError(_(
                "%(count)s words: this section allows at most %(limit)s words.",
                count=count, limit=limit))


class EntryForm(FlaskForm):
    """The KIPP proposal: header fields, then one text area per section (added below from
    ``competition.proposal.SECTIONS``, each with its word limit)."""

    title = StringField(_l("Title of the innovation"),
                        validators=[DataRequired(), Length(max=300)])
    version_id = HiddenField()  # the entry's version when the form was shown (entry_lock)
    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    group = SelectField(_l("Group"),
                        choices=[SelectChoice(g.value, GROUP_LABELS[g]) for g in EntryGroup],
                        default=EntryGroup.UMUM.value, validators=[InputRequired()])
    innovation_started_on = DateField(_l("Innovation start date"), validators=[Optional()])
    innovators = TextAreaField(
        _l("Innovators and their contacts"),
        description=_l("One person per line: name, position, telephone or e-mail."),
        validators=[Length(max=5000)])
    video_url = URLField(_l("Video link (at most 3 minutes)"),
                         validators=[Optional(), URL(), Length(max=500)])
    sk_file = FileField(_l("Decree (SK) naming the innovation team"),
                        description=_l("PDF. A new file replaces the previous one."))
    data_files = MultipleFileField(_l("Supporting data"),
                                   description=_l("PDF, JPEG or PNG; several files allowed."))
    photos = MultipleFileField(_l("Photos"), description=_l("JPEG or PNG; several allowed."))
    truth_declaration = BooleanField(_l(
        "I declare that the information in this proposal and its attachments is true, and "
        "I accept disqualification if it proves otherwise."))
    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Submit entry"))

    def data_dict(self) -> dict:
        # ``section_names``: the sections of the round's form (see ``entry_form_class``).
        names = getattr(self, "section_names", SECTION_NAMES)
        data = {f: getattr(self, f).data or "" for f in ("title", "innovators", "video_url")
                + tuple(names)}
        data["group"] = self.group.data
        data["innovation_started_on"] = self.innovation_started_on.data
        data["truth_declaration"] = bool(self.truth_declaration.data)
        return data


for _section in SECTIONS:
    setattr(EntryForm, _section.name, TextAreaField(
        _section.label, description=_section.help,
        validators=[Length(max=20000), WordLimit(_section.words)]))


def entry_form_class(sections) -> type[EntryForm]:
    """The proposal form of a round whose ``sections`` (``Section`` objects) include the
    committee's own: one more text area for each of them."""
    attrs = {s.name: TextAreaField(s.label, description=s.help,
                                   validators=[Length(max=20000), WordLimit(s.words)])
             for s in sections if s.custom}
    return type("RoundEntryForm", (EntryForm,), attrs) if attrs else EntryForm
