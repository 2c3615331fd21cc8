"""Forms of the committee's publishing pages; award levels are typed as text lines."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from competition.db import db
from competition.entries.models import Entry, EntryStatus
from competition.forms import JuriForm
from competition.rounds.models import Round
from judging.results import awards


class PublishForm(JuriForm):
    reason = TextAreaField(
        _l("Reason for the correction"), validators=[Optional(), Length(max=2000)]
    )
    # Shown on the round's last scored stage when the round has stage weights (judging.combined).
    stage_only = BooleanField(
        _l("Publish this stage's own ranking instead of the combined final ranking")
    )
    # Required while the stage is open and sheets are not all submitted (the publish view).
    confirm_open = BooleanField(_l("Publish even though scoring is still open"))
    submit = SubmitField(_l("Publish this ranking"))


def parse_levels(text: str) -> list[awards.Level]:
    """Award levels typed one per line: ``title; up to rank; prize in rupiah (optional)``."""
    levels = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        try:
            title, up_to = parts[0], int(parts[1])
            prize = (
                int(parts[2].replace(".", "").replace(",", ""))
                if len(parts) > 2 and parts[2]
                else None
            )
        except (IndexError, ValueError):
            raise ValueError(n) from None
        if not title:
            raise ValueError(n)
        levels.append(awards.Level(title, up_to, prize))
    return levels


def format_levels(levels: list[awards.Level]) -> str:
    return "\n".join(
        f"{lv.title}; {lv.up_to_rank}" + (f"; {lv.prize}" if lv.prize else "") for lv in levels
    )


class AwardsForm(JuriForm):
    preset = SelectField(
        _l("Start from"),
        choices=[
            SelectChoice("", _l("the levels below")),
            SelectChoice("city", _l("City round: Juara I-III with prize money, Harapan I-II")),
            SelectChoice("national", _l("National round: Outstanding Achievement, Top 45, Top 99")),
        ],
        validators=[Optional()],
    )
    levels = TextAreaField(
        _l("Award levels"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "One per line: title; up to rank; prize in rupiah "
            "(optional). Given per category; every other ranked "
            "entry gets a participation certificate. Left empty, each "
            "stage's winners are Terbaik I, Terbaik II, and so on."
        ),
    )
    style = SelectField(
        _l("Publication style"),
        choices=[
            SelectChoice("ranked", _l("Ranked, with scores")),
            SelectChoice("alphabetical", _l("Alphabetical within each category, without scores")),
        ],
    )
    announcement = TextAreaField(_l("Announcement text"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def validate_levels(self, field):
        try:
            parse_levels(field.data)
        except ValueError as exc:
            raise ValidationError(
                _l(
                    "Line %(n)s: write the title; the last place that gets it, as a whole number; "
                    "the prize in rupiah if any. For example: Juara I; 1; 3000000",
                    n=exc.args[0],
                )
            ) from None


class LayoutForm(JuriForm):
    government = StringField(
        _l("Issuing government"),
        validators=[Optional(), Length(max=200)],
        description=_l("e.g. Pemerintah Kota Palembang"),
    )
    organiser = StringField(
        _l("Organising body"),
        validators=[Optional(), Length(max=200)],
        description=_l("Printed in the letterhead, e.g. Badan Riset dan Inovasi Daerah"),
    )
    address = StringField(
        _l("Address"),
        validators=[Optional(), Length(max=300)],
        description=_l("Printed in the letterhead under the organising body"),
    )
    place = StringField(_l("Place of signing"), validators=[Optional(), Length(max=100)])
    logo = FileField(_l("Logo (PNG or JPEG)"))
    signer1_name = StringField(
        _l("First signatory: name"), validators=[Optional(), Length(max=200)]
    )
    signer1_title = StringField(
        _l("First signatory: position"), validators=[Optional(), Length(max=200)]
    )
    signer1_image = FileField(_l("First signatory: signature image"))
    signer2_name = StringField(
        _l("Second signatory: name (optional)"), validators=[Optional(), Length(max=200)]
    )
    signer2_title = StringField(
        _l("Second signatory: position"), validators=[Optional(), Length(max=200)]
    )
    signer2_image = FileField(_l("Second signatory: signature image"))
    submit = SubmitField(_l("Save"))


class SpecialAwardForm(JuriForm):
    # The entry's number, not a list to pick from: a national round has thousands of entries
    # (a select of them all made the results page megabytes).
    entry = IntegerField(
        _l("Innovation number (No.)"),
        validators=[DataRequired()],
        description=_l("The number (No.) shown in the round's entry list and its exports."),
    )
    title = StringField(
        _l("Special award"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("e.g. Inovasi Terfavorit"),
    )
    submit = SubmitField(_l("Give the award"))

    @classmethod
    def for_round(cls, round_: Round, **kw) -> SpecialAwardForm:
        form = cls(**kw)
        form.round_id = round_.id
        return form

    def validate_entry(self, field):
        """A submitted entry of the round."""
        found = db.session.scalar(
            select(Entry.id).where(
                Entry.id == field.data,
                Entry.round_id == self.round_id,
                Entry.status == EntryStatus.SUBMITTED,
            )
        )
        if found is None:
            raise ValidationError(_l("No submitted innovation of this round has this number."))


class RevokeForm(JuriForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    holder = StringField(
        _l("Recipient (for the new certificate)"), validators=[Optional(), Length(max=300)]
    )
    title = StringField(
        _l("Innovation title (for the new certificate)"), validators=[Optional(), Length(max=300)]
    )
    revoke = SubmitField(_l("Revoke"))
    reissue = SubmitField(_l("Revoke and reissue"))


class ConfirmUncertainForm(JuriForm):
    """The tick confirming a publication with awards below the pass mark or undecided."""

    confirm_uncertain = BooleanField(
        _l("I have read these warnings and publish the ranking as it stands"),
        validators=[DataRequired()],
    )


class FeedbackSettingsForm(JuriForm):
    """Whether the round's OPDs read the judges' comments (anonymised) after publication."""

    opd_sees_comments = BooleanField(
        _l("After publication, each OPD also reads the judges' comments on its own entry")
    )
    publishes_sheets = BooleanField(
        _l(
            "Anyone may download the published rankings' anonymised score sheets (judges as "
            "numbers) to recompute the places"
        )
    )
    submit = SubmitField(_l("Save"))
