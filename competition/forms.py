"""Flask-WTF forms of the competition side (CSRF on every one)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
)

from competition.i18n.forms import FlaskForm

DT_FORMAT = "%Y-%m-%dT%H:%M"


def local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime) -> datetime:
    """A naive datetime typed in the deployment's time zone (e.g. WIB) as aware UTC."""
    return local.replace(tzinfo=local_tz()).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_tz()).replace(tzinfo=None)


class ActionForm(FlaskForm):
    """An empty form for buttons that POST (publish, open...): it carries the CSRF token."""


class ReasonForm(FlaskForm):
    """A committee decision that must carry a reason (reopening, overriding...)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))
