"""Who may see, edit, review or withdraw an entry and see its attachments: pure predicates
``can_<verb>_<noun>(user, obj) -> bool``, also offered to templates as ``can.<verb>_<noun>``.

Objects a user may not see are answered with 404 (``NotAllowed``), never 403, so that the
existence of another OPD's entry does not leak. Judges' access goes through their assignments
(``judging.panels.permissions``)."""

from __future__ import annotations

from competition.accounts.models import User
from competition.entries.models import Attachment, Entry
from competition.roles import Role


def can_view_entry(user: User, entry: Entry) -> bool:
    """Committee members see every entry; an OPD user sees its own organisation's entries.
    Judges' access goes through their assignments (``judging.panels.permissions``)."""
    if not user.is_authenticated:
        return False
    if user.is_committee:
        return True
    if user.is_agency_admin:
        return user.organisation_id is not None and user.organisation_id in (
            entry.organisation_id,
            entry.organisation.parent_id,
        )
    return user.is_opd and user.organisation_id == entry.organisation_id


def can_edit_entry(user: User, entry: Entry) -> bool:
    """Only the owning OPD, while the entry is a draft, or the Admin Lokal of its agency,
    also while it awaits the agency's review, edits (the submission window itself is checked
    by the service, which shows the deadline)."""
    if not user.is_authenticated or entry.is_submitted:
        return False
    if user.role == Role.AGENCY:
        return can_view_entry(user, entry)
    return (
        user.role == Role.OPD
        and user.organisation_id == entry.organisation_id
        and not entry.is_in_agency_review
    )


def can_review_entry(user: User, entry: Entry) -> bool:
    """The Admin Lokal of the entry's agency returns or submits an entry its unit handed over."""
    return (
        user.is_authenticated
        and user.role == Role.AGENCY
        and entry.is_in_agency_review
        and can_view_entry(user, entry)
    )


def can_withdraw_entry(user: User, entry: Entry) -> bool:
    """Whoever sent a submitted entry to the committee may take it back (before the deadline,
    which the service checks): its OPD, or for an entry a unit handed to its agency's Admin
    Lokal, that Admin Lokal (the unit asks it)."""
    if not user.is_authenticated or not entry.is_submitted:
        return False
    via_agency = any(e.action == "sent_to_agency" for e in entry.events)
    if user.role == Role.AGENCY:
        return via_agency and can_view_entry(user, entry)
    return (
        user.role == Role.OPD and user.organisation_id == entry.organisation_id and not via_agency
    )


def can_view_attachment(user: User, attachment: Attachment) -> bool:
    """The owning OPD and the committee see an entry's attachments (a judge sees those of
    the entries assigned to them: ``judging.scoring.permissions.can_view_attachment_as_judge``)."""
    return can_view_entry(user, attachment.entry)


JINJA_PREDICATES = {
    "view_entry": can_view_entry,
    "edit_entry": can_edit_entry,
    "review_entry": can_review_entry,
    "withdraw_entry": can_withdraw_entry,
    "view_attachment": can_view_attachment,
}
