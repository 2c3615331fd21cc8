"""Translated labels of stored enum values, for templates (``{{ value|label }}``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    "draft": _l("draft"),
    "open": _l("open"),
    "closed": _l("closed"),
    "submitted": _l("submitted"),
    "agency_review": _l("awaiting agency review"),
    "sent_to_agency": _l("sent to the Admin Lokal"),
    "returned_to_unit": _l("returned to the unit"),
    "not started": _l("not started"),
    "umum": _l("general"),
    "replikasi": _l("replication"),
    "khusus": _l("special"),
    "sk": _l("Decree (SK)"),
    "data": _l("Supporting data"),
    "photo": _l("Photo"),
    "reopened": _l("reopened"),
    "pending": _l("not screened yet"),
    "advanced": _l("advanced"),
    "upcoming": _l("upcoming"),
    "upheld": _l("upheld"),
    "rejected": _l("rejected"),
    "in_evaluation": _l("being evaluated"),
    "evaluated": _l("evaluated"),
    "published": _l("announced"),
    "not_advanced": _l("did not advance"),
    "advanced_override": _l("advanced (committee override)"),
    "not_advanced_override": _l("did not advance (committee override)"),
    "eligible": _l("eligible"),
    "ineligible": _l("not eligible"),
}


def label(value) -> str:
    key = getattr(value, "value", value)
    return str(LABELS.get(key, key))
