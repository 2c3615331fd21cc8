"""Forms of entries: the KIPP proposal, screening, the entry filter and an agency's unit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
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
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from competition.accounts.passwords import AcceptablePassword
from competition.forms import JuriForm
from competition.rounds.sections import (
    GROUP_LABELS,
    SECTION_NAMES,
    SECTIONS,
    EntryGroup,
)


class BlindReleaseForm(JuriForm):
    """The attachments of an entry that judges of a blind-review stage may see (the choices
    are the entry's attachments, set by the view)."""

    released = SelectMultipleField(
        _l("Released for blind review"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=True,
    )
    submit = SubmitField(_l("Save the release"))


class ScreeningForm(JuriForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("eligible", _l("Eligible: goes on to judging")),
            SelectChoice("ineligible", _l("Not eligible")),
        ],
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason (the OPD reads it)"), validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Record the decision"))


class EntryFilterForm(JuriForm):
    """Filters of the round dashboard, read from the query string (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search title or OPD"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), coerce=str, validators=[Optional()])
    state = SelectField(
        _l("Status"),
        validators=[Optional()],
        choices=[
            SelectChoice("", _l("all")),
            SelectChoice("draft", _l("draft")),
            SelectChoice("submitted", _l("submitted")),
            SelectChoice("pending", _l("not screened yet")),
            SelectChoice("eligible", _l("eligible")),
            SelectChoice("ineligible", _l("not eligible")),
        ],
    )
    group = SelectField(
        _l("Group"),
        validators=[Optional()],
        choices=[
            SelectChoice("", _l("all")),
            *(SelectChoice(g.value, GROUP_LABELS[g]) for g in EntryGroup),
        ],
    )


class UnitForm(JuriForm):
    """An Admin Lokal creates a unit of the agency with its first account."""

    name = StringField(_l("Name of the unit"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=80)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), AcceptablePassword(username_field="username")]
    )
    submit = SubmitField(_l("Create the unit"))


class EntryForm(JuriForm):
    """The KIPP proposal: header fields, then one text area per section (added below from
    ``competition.proposal.SECTIONS``). Word limits are not checked here: a draft saves any
    length, and the submission (``services.submit_entry``) refuses a section over its limit."""

    title = StringField(_l("Title of the innovation"), validators=[DataRequired(), Length(max=300)])
    version_id = HiddenField()  # the entry's version when the form was shown (entry_lock)
    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    group = SelectField(
        _l("Group"),
        choices=[SelectChoice(g.value, GROUP_LABELS[g]) for g in EntryGroup],
        default=EntryGroup.UMUM.value,
        validators=[InputRequired()],
    )
    innovation_started_on = DateField(_l("Innovation start date"), validators=[Optional()])
    innovators = TextAreaField(
        _l("Innovators and their contacts"),
        description=_l("One person per line: name, position, telephone or e-mail."),
        validators=[Length(max=5000)],
    )
    video_url = URLField(
        _l("Video link (at most 3 minutes)"), validators=[Optional(), URL(), Length(max=500)]
    )
    sk_file = FileField(
        _l("Decree (SK) naming the innovation team"),
        description=_l("PDF. A new file replaces the previous one."),
    )
    data_files = MultipleFileField(
        _l("Supporting data"), description=_l("PDF, JPEG or PNG; several files allowed.")
    )
    photos = MultipleFileField(_l("Photos"), description=_l("JPEG or PNG; several allowed."))
    truth_declaration = BooleanField(
        _l(
            "I declare that the information in this proposal and its attachments is true, and "
            "I accept disqualification if it proves otherwise."
        )
    )
    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Submit the proposal"))

    def data_dict(self) -> dict:
        # ``section_names``: the sections of the round's form (see ``entry_form_class``).
        names = getattr(self, "section_names", SECTION_NAMES)
        data = {
            f: getattr(self, f).data or ""
            for f in ("title", "innovators", "video_url") + tuple(names)
        }
        data["group"] = self.group.data
        data["innovation_started_on"] = self.innovation_started_on.data
        data["truth_declaration"] = bool(self.truth_declaration.data)
        return data


for _section in SECTIONS:
    setattr(
        EntryForm,
        _section.name,
        TextAreaField(
            _section.label,
            description=_section.help,
            validators=[Length(max=20000)],
        ),
    )


def entry_form_class(sections) -> type[EntryForm]:
    """The proposal form of a round whose ``sections`` (``Section`` objects) include the
    committee's own: one more text area for each of them."""
    attrs = {
        s.name: TextAreaField(s.label, description=s.help, validators=[Length(max=20000)])
        for s in sections
        if s.custom
    }
    return type("RoundEntryForm", (EntryForm,), attrs) if attrs else EntryForm
