"""Limits on anonymous objections (uji publik), so that one sender cannot flood an announcement
whose every objection must be decided before its list is final.

- how many objections one client address files (``OBJECTIONS_PER_ADDRESS`` per
  ``OBJECTION_WINDOW_MINUTES``) and how many an announcement takes from everyone together
  (``OBJECTIONS_PER_ANNOUNCEMENT`` per window, high: a limit every sender shares lets one of
  them hold the others up, so it only stops a flood from many addresses);
- evidence bytes: one file per objection (``MAX_ATTACHMENT_BYTES`` each), at most
  ``OBJECTION_BYTES_PER_ADDRESS`` per address per day and ``OBJECTION_BYTES_PER_ANNOUNCEMENT``
  per announcement in all;
- bulk spam: the same text against the same innovation twice, a filled-in honeypot field, or a
  form sent sooner than ``OBJECTION_MIN_SECONDS`` after it was shown (a signed time stamp
  carried by the form: no external CAPTCHA service).

The counts come from the objections themselves (each keeps the client's address), so every
worker and server shares them and they survive restarts. This is the rule of
``competition.accounts.throttle`` (a limit blocks while ``count`` attempts lie within its window,
until the oldest ages out), over the objections table: the audit trail it reads lives in a
feature this one may not import (``tests/test_architecture.py``). Each setting can be given as
``JURI_<NAME>``.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from competition.announcements.models import Announcement, Objection
from competition.db import db
from competition.entries.attachments import megabytes
from competition.errors import JuriError

DEFAULTS = {
    "OBJECTIONS_PER_ADDRESS": 3,
    "OBJECTIONS_PER_ANNOUNCEMENT": 100,
    "OBJECTION_WINDOW_MINUTES": 60,
    "OBJECTION_BYTES_PER_ADDRESS": 6 * 1024 * 1024,
    "OBJECTION_BYTES_PER_ANNOUNCEMENT": 200 * 1024 * 1024,
    "OBJECTION_MIN_SECONDS": 3,
}

BYTES_WINDOW = timedelta(days=1)


class TooManyObjections(JuriError):
    """Too many objections from this address or to this announcement: wait (429)."""

    status = 429

    def __init__(self, minutes: int):
        super().__init__(
            _l(
                "Too many objections have been sent from your address or to this announcement. "
                "Please try again in %(n)d minutes.",
                n=minutes,
            )
        )
        self.minutes = minutes


class ObjectionRefused(JuriError):
    """An objection refused as spam or over an upload limit; the message says why and
    ``field`` names the form field it concerns."""

    status = 422

    def __init__(self, message, field: str = "evidence_file"):
        super().__init__(message)
        self.field = field


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _window() -> timedelta:
    return timedelta(minutes=setting("OBJECTION_WINDOW_MINUTES"))


def _blocked_for(stmt, count: int, now: datetime) -> timedelta | None:
    """How long ``stmt`` (objection times within the window) blocks: until the oldest of the
    newest ``count`` ages out of the window; None when fewer than ``count``."""
    times = db.session.scalars(stmt.order_by(Objection.created_at.desc()).limit(count)).all()
    if len(times) < count:
        return None
    return times[-1] + _window() - now


def check_rate(*, announcement_id: int, address: str, now: datetime) -> None:
    """Raise ``TooManyObjections`` (with the wait in minutes) if ``address`` or the announcement
    has had its share of objections within the window. Objections filed off the web (no
    address) count only towards the announcement's limit."""
    recent = select(Objection.created_at).where(Objection.created_at > now - _window())
    waits = [
        _blocked_for(
            recent.where(Objection.announcement_id == announcement_id),
            setting("OBJECTIONS_PER_ANNOUNCEMENT"),
            now,
        )
    ]
    if address:
        waits.append(
            _blocked_for(
                recent.where(Objection.address == address), setting("OBJECTIONS_PER_ADDRESS"), now
            )
        )
    waits = [w for w in waits if w is not None]
    if waits:
        raise TooManyObjections(max(1, math.ceil(max(waits).total_seconds() / 60)))


def check_bytes(*, announcement: Announcement, address: str, size: int, now: datetime) -> None:
    """Raise ``ObjectionRefused`` if ``size`` more evidence bytes would bring ``address``
    (within a day) or the announcement (in all) over its limit."""
    if not size:
        return
    per_announcement = setting("OBJECTION_BYTES_PER_ANNOUNCEMENT")
    used = db.session.scalar(
        select(func.coalesce(func.sum(Objection.evidence_size), 0)).where(
            Objection.announcement_id == announcement.id
        )
    )
    if used + size > per_announcement:
        raise ObjectionRefused(
            _l(
                "This announcement has received as many evidence files as it can take "
                "(%(limit)s). Describe your evidence or give a link instead.",
                limit=megabytes(per_announcement),
            )
        )
    per_address = setting("OBJECTION_BYTES_PER_ADDRESS")
    if address and sent_bytes(address=address, now=now) + size > per_address:
        raise ObjectionRefused(
            _l(
                "Your address has sent %(limit)s of evidence files today, the limit. Describe "
                "your evidence or give a link instead.",
                limit=megabytes(per_address),
            )
        )


def sent_bytes(*, address: str, now: datetime) -> int:
    """Evidence bytes filed from ``address`` within the last day."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Objection.evidence_size), 0)).where(
            Objection.address == address, Objection.created_at > now - BYTES_WINDOW
        )
    )


def normalized(text: str) -> str:
    """Text compared for repetition: case, spacing and punctuation do not count."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def check_repeated(*, announcement: Announcement, entry_id: int, reason: str) -> None:
    """Raise ``ObjectionRefused`` if the same text already objects to the same innovation."""
    text = normalized(reason)
    for objection in announcement.objections:
        if objection.entry_id == entry_id and normalized(objection.reason) == text:
            raise ObjectionRefused(
                _l(
                    "The same objection to this innovation has already been received (%(ref)s); "
                    "the committee decides it once.",
                    ref=objection.reference,
                ),
                field="reason",
            )


# The form's time stamp: signed, so that a script cannot post a form it never loaded.
_SALT = "objection-form"


def stamp(at: float) -> str:
    """The signed time (seconds since the epoch) the objection form was shown."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).dumps(round(at, 3))


def form_age(token: str, now: float) -> float | None:
    """Seconds since the form carrying ``token`` was shown, or None if it is not a valid
    stamp of this site."""
    try:
        shown = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(shown, int | float) or math.isnan(shown):
        return None
    return now - shown
