"""Domain errors raised by services; views turn them into messages, error pages or JSON."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l


class JuriError(Exception):
    """Base of every business-rule error. ``message`` is shown to the user; ``status`` is the
    HTTP status a view answers with when it does not handle the error itself; ``field``, when
    the refusal is about one input, names it: the service's argument, which is also the name of
    the form field that asks for it (``competition.web.writing`` shows the message under that
    field when the posted form has it)."""

    status = 400
    message = _l("This action is not possible.")
    field: str | None = None

    def __init__(self, message=None, *, field: str | None = None):
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))


class NotAllowed(JuriError):
    """The object does not exist for this user. Answered as 404 so nothing leaks."""

    status = 404
    message = _l("Not found.")


class DeadlinePassed(JuriError):
    """A window (submission or scoring) is closed; the message shows when it closed."""

    status = 409

    def __init__(self, closes_at: datetime | None, what=None):
        self.closes_at = closes_at
        when = format_datetime(closes_at, "d MMMM y, HH:mm zzz") if closes_at else ""
        if what is None:
            what = _l("The deadline")
        msg = _l(
            "%(what)s closed on %(when)s; changes are no longer accepted.", what=what, when=when
        )
        super().__init__(msg)


class NotOpenYet(JuriError):
    status = 409
    message = _l("This is not open yet.")


class IncompleteError(JuriError):
    """Required fields are missing; ``missing`` names them so the form can mark each one."""

    status = 422

    def __init__(self, missing: list[str], message=None):
        self.missing = missing
        super().__init__(message or _l("Please complete every required field before submitting."))


class InvalidState(JuriError):
    status = 409


class ConcurrentChange(JuriError):
    """Another request changed the same thing meanwhile (a unique constraint caught it):
    nothing was overwritten; the user looks again."""

    status = 409


class StaleChange(ConcurrentChange):
    """A versioned row (a proposal, a score sheet) was changed by another request since this
    one read it (SQLAlchemy's ``StaleDataError``): nothing was overwritten."""


class InvalidFields(JuriError):
    """Some fields break a rule (a word limit, the innovation's minimum age, a refused file);
    ``errors`` maps each field name to its message so the form can mark it."""

    status = 422

    def __init__(self, errors: dict[str, object], message=None):
        self.errors = errors
        super().__init__(message or _l("Please correct the marked fields."))
