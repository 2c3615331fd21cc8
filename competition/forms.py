"""Flask-WTF forms of the competition side (CSRF on every one)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

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
    submit = SubmitField(_l("Create round"))


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
    submit = SubmitField(_l("Add stage"))


SECTION_LABELS = {
    "summary": _l("Summary"),
    "problem": _l("Problem and background"),
    "novelty": _l("Novelty of the innovation"),
    "implementation": _l("Implementation"),
    "impact": _l("Impact and results"),
}


class EntryForm(FlaskForm):
    title = StringField(_l("Title of the innovation"),
                        validators=[DataRequired(), Length(max=300)])
    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    summary = TextAreaField(SECTION_LABELS["summary"], validators=[Length(max=5000)])
    problem = TextAreaField(SECTION_LABELS["problem"], validators=[Length(max=20000)])
    novelty = TextAreaField(SECTION_LABELS["novelty"], validators=[Length(max=20000)])
    implementation = TextAreaField(SECTION_LABELS["implementation"],
                                   validators=[Length(max=20000)])
    impact = TextAreaField(SECTION_LABELS["impact"], validators=[Length(max=20000)])
    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Submit entry"))

    def data_dict(self) -> dict[str, str]:
        return {f: getattr(self, f).data or "" for f in ("title",) + tuple(SECTION_LABELS)}
