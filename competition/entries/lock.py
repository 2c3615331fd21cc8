"""Optimistic locking of the proposal form (two tabs, or an OPD and its Admin Lokal editing
the same draft): the form carries the entry's ``version_id`` as it was shown; a save whose
version is no longer the stored one is refused (409) with what is stored beside what was
typed, nothing typed is lost, and the re-rendered form carries the stored version, so saving
again is a deliberate overwrite. Simultaneous saves are caught by the version column itself
(``StaleDataError``)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from competition.entries.models import Entry
from competition.rounds.sections import SECTION_NAMES

REFUSED = _l(
    "This proposal was changed elsewhere (another tab or user) since you opened it; "
    "nothing was saved. Compare the stored text with yours below, then save again."
)

COMPARED = ("title", "innovators", "video_url", *SECTION_NAMES)


@dataclass(frozen=True)
class Difference:
    label: str
    stored: str
    typed: str


def is_stale(form, entry: Entry | None) -> bool:
    """True when the posted form was shown for another version than the stored one."""
    if entry is None or not form.version_id.raw_data:  # not posted: an older form
        return False
    return (form.version_id.data or "") != str(entry.version_id)


def differences(form, entry: Entry) -> list[Difference]:
    """The fields whose stored text differs from what was typed."""
    out = []
    custom = [n for n in getattr(form, "section_names", ()) if n not in COMPARED]
    for name in (*COMPARED, *custom):
        field = getattr(form, name, None)
        if field is None:
            continue
        stored = (getattr(entry, name) if name in COMPARED else entry.section_text(name)) or ""
        typed = field.data or ""
        if stored.strip() != typed.strip():
            out.append(Difference(str(field.label.text), stored, typed))
    return out


def refuse(form, entry: Entry) -> list[Difference]:
    """Point the form at the stored version and return the differences (the view flashes
    ``REFUSED``)."""
    form.version_id.data = str(entry.version_id)
    return differences(form, entry)
