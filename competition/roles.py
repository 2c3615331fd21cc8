"""The roles an account has. Every feature and the role guards (``competition.web.require_role``)
speak of them, so they sit below the features, beside the plumbing: the audit trail's and the
outbox's committee pages name the committee without importing the accounts feature."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    COMMITTEE = "committee"
    JUDGE = "judge"
    OPD = "opd"
    AGENCY = "agency"  # Admin Lokal: the local administrator of a participating agency
