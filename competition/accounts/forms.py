"""Forms of the account pages: login, language, password change and reset, adding one account,
account import, an organisation's region."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)

from competition.accounts.kinds import KIND_LABELS
from competition.accounts.models import User
from competition.accounts.passwords import AcceptablePassword
from competition.forms import JuriForm
from competition.roles import Role


class LoginForm(JuriForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class LanguageForm(JuriForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class RegionForm(JuriForm):
    """Where an organisation is: its kabupaten/kota and province."""

    region = StringField(
        _l("Regency or city (kabupaten/kota)"), validators=[Optional(), Length(max=200)]
    )
    province = StringField(_l("Province"), validators=[Optional(), Length(max=100)])
    kind = SelectField(
        _l("Kind of organisation"),
        choices=[SelectChoice("", _l("As its name says"))]
        + [SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save"))


class ForgotForm(JuriForm):
    login = StringField(
        _l("Username or email address"), validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField(_l("Send me a link"))


class ResetForm(JuriForm):
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), AcceptablePassword(username=lambda form: form.user.username)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Set the new password"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class PasswordChangeForm(JuriForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            AcceptablePassword(username=lambda form: current_user.username),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))

    def validate_current(self, field):
        if not current_user.check_password(field.data):
            raise ValidationError(_l("This is not your current password."))


class UploadForm(JuriForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ConfirmForm(JuriForm):
    token = HiddenField()


class AccountForm(JuriForm):
    """One account added by the committee; its one-time password is made, not typed. An OPD or
    Admin Lokal account picks an existing organisation or names a new one."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.OPD.value, _l("OPD")),
            SelectChoice(Role.AGENCY.value, _l("Admin Lokal")),
            SelectChoice(Role.JUDGE.value, _l("Judge")),
            SelectChoice(Role.COMMITTEE.value, _l("Committee")),
        ],
    )
    organisation = SelectField(_l("Existing organisation"), choices=[], validate_choice=False)
    new_organisation = StringField(
        _l("Or a new organisation (a judge's affiliation)"),
        validators=[Optional(), Length(max=200)],
    )
    email = StringField(_l("Email address (optional)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add the account"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [SelectChoice("", "-")] + [
            SelectChoice(str(o.id), o.name) for o in organisations
        ]
