"""Who downloads a certificate from the OPD area: a pure predicate, also offered to templates
as ``can.download_certificate`` (the role guards are ``competition.permissions``)."""

from __future__ import annotations

from competition.accounts.models import User
from competition.entries.permissions import can_view_entry
from judging.results.models import Certificate


def can_download_certificate(user: User, certificate: Certificate) -> bool:
    """From the OPD area: the committee, and the OPD of the certificate's entry (a judge's
    certificate of appreciation has no entry; the public gets valid certificates from the
    verification page once the round's results are published)."""
    if certificate.entry is None:
        return bool(user.is_authenticated and user.is_committee)
    return can_view_entry(user, certificate.entry)


JINJA_PREDICATES = {"download_certificate": can_download_certificate}
