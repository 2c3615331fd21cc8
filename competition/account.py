"""The signed-in user's own account (blueprint ``account``): changing the password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from competition import audit, sessions
from competition.db import db
from competition.passwords import MAX_LENGTH, password_problems
from competition.permissions import require_login

bp = Blueprint("account", __name__, url_prefix="/account")
require_login(bp)


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Change password"))

    def validate_current(self, field):
        if not current_user.check_password(field.data):
            raise ValidationError(_l("This is not your current password."))

    def validate_new(self, field):
        problems = password_problems(field.data, username=current_user.username)
        if problems:
            raise ValidationError(" ".join(problems))


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        current_user.set_password(form.new.data)
        sessions.end_sessions(current_user)  # other sessions end; this one is renewed below
        audit.record("password_changed", "users", current_user.id)
        db.session.commit()
        login_user(current_user._get_current_object())
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("account.password"))
    return render_template("auth/password.html", form=form, max_length=MAX_LENGTH), \
        422 if form.errors else 200
