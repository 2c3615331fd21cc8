"""The base of every form (``JuriForm``: CSRF, and text cleaned of control characters) and the
shared forms and date helpers of the competition side."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    PasswordField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
)

from competition.i18n.forms import FlaskForm
from competition.text import clean_text

DT_FORMAT = "%Y-%m-%dT%H:%M"


class JuriForm(FlaskForm):
    """Every form's base (a test checks that each form derives from it): Flask-WTF's CSRF token,
    WTForms' messages in the page's language (``competition.i18n.forms``), and every text field (StringField and its kinds, TextAreaField; not passwords, which are
    only hashed) filtered through ``clean_text`` before any validator or service sees it."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                options["filters"] = (clean_text, *unbound_field.kwargs.get("filters", ()))
            return super().bind_field(form, unbound_field, options)


def local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime) -> datetime:
    """A naive datetime typed in the deployment's time zone (e.g. WIB) as aware UTC."""
    return local.replace(tzinfo=local_tz()).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_tz()).replace(tzinfo=None)


class ActionForm(JuriForm):
    """An empty form for buttons that POST (publish, open...): it carries the CSRF token."""


class ReasonForm(JuriForm):
    """A committee decision that must carry a reason (reopening, overriding...)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))
