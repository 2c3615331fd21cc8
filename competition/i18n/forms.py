"""WTForms' own messages ("This field is required.", "Not a valid integer value.") in the
page's language. WTForms ships catalogues for many languages but not Indonesian, and
Flask-WTF's WTF_I18N_ENABLED only loads those; so Juri's forms take their messages from Juri's
catalogue instead (competition/translations, where the msgids below are translated).

Every form derives from ``FlaskForm`` here (Flask-WTF's, CSRF included) instead of
``flask_wtf.FlaskForm``; its Meta supplies the translations per form instance, in the locale
of the request (``flask_babel.get_translations``)."""

from __future__ import annotations

import flask_wtf
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _


class WTFormsTranslations:
    """The ``gettext``/``ngettext`` pair WTForms asks its Meta for; WTForms formats the
    message itself (``% dict(min=..., max=...)``), so nothing is interpolated here."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = WTFormsTranslations()


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form with WTForms' validation messages translated."""

    class Meta(flask_wtf.FlaskForm.Meta):
        def get_translations(self, form):
            return TRANSLATIONS


def _wtforms_messages() -> None:  # pragma: no cover - never called
    """Not called: lists WTForms' messages so ``make extract`` keeps them in the catalogue
    (they are in WTForms' source, which extraction does not read)."""
    _("This field is required.")
    _("Invalid input.")
    _("Invalid email address.")
    _("Invalid URL.")
    _("Field must be equal to %(other_name)s.")
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    )
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    )
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    )
    _("Field must be between %(min)d and %(max)d characters long.")
    _("Number must be at least %(min)s.")
    _("Number must be at most %(max)s.")
    _("Number must be between %(min)s and %(max)s.")
    _("Date must be at least %(min)s.")
    _("Date must be at most %(max)s.")
    _("Date must be between %(min)s and %(max)s.")
    _("Invalid value, must be one of: %(values)s.")
    _("Invalid value, can't be any of: %(values)s.")
    _("This field cannot be edited.")
    _("This field is disabled and cannot have a value.")
    _("Invalid CSRF Token.")
    _("CSRF token missing.")
    _("CSRF failed.")
    _("CSRF token expired.")
    _("Invalid Choice: could not coerce.")
    _("Choices cannot be None.")
    _("Not a valid choice.")
    _("Invalid choice(s): one or more data inputs could not be coerced.")
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    )
    _("Not a valid datetime value.")
    _("Not a valid date value.")
    _("Not a valid time value.")
    _("Not a valid week value.")
    _("Not a valid integer value.")
    _("Not a valid decimal value.")
    _("Not a valid float value.")
