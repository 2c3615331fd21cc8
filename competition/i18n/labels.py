"""Translated labels of stored enum values, for templates (``{{ value|label }}``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from jinja2 import pass_context

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
    # Where a round stands on its timeline (Round.phase)
    "accepting": _l("accepting proposals"),
    "submissions_closed": _l("submissions closed"),
    "results_published": _l("results published"),
    # Actions of the audit trail (competition.audit.services.ACTIONS)
    "insert": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "login": _l("logged in"),
    "login_failed": _l("failed login"),
    "logout": _l("logged out"),
    "password_changed": _l("password changed"),
    "password_reset_asked": _l("password reset requested"),
    "password_check_failed": _l("wrong current password"),
    "password_reset_sent": _l("password reset link sent"),
    "password_reset": _l("password reset"),
    "password_reset_link": _l("password reset link issued"),
    "remind_drafts": _l("reminder about drafts"),
    "remind_judges": _l("reminder to judges"),
    "audit_keyed": _l("audit trail keyed"),
    "results_written": _l("results written"),
    "certificates_issued": _l("certificates issued"),
    "certificates_revoked": _l("certificates revoked"),
    # What an audit record is about: the audited tables (competition.audit.listener.AUDITED)
    "score_sheets": _l("score sheet"),
    "scores": _l("score"),
    "assignments": _l("assignment"),
    "conflicts": _l("conflict of interest"),
    "judge_withdrawals": _l("judge's withdrawal"),
    "criteria": _l("criterion"),
    "stages": _l("stage"),
    "rounds": _l("round"),
    "categories": _l("category"),
    "entries": _l("entry"),
    "entry_events": _l("entry's history"),
    "publications": _l("published ranking"),
    "certificates": _l("certificate"),
    "award_levels": _l("award level"),
    "award_settings": _l("award settings"),
    "users": _l("account"),
    "organisations": _l("organisation"),
    # Roles of accounts
    "committee": _l("committee"),
    "judge": _l("judge"),
    "opd": _l("OPD"),
    "agency": _l("Admin Lokal"),
    "withdrawn": _l("withdrawn"),
    "pending": _l("not screened yet"),
    "advanced": _l("advanced"),
    "upcoming": _l("upcoming"),
    "upheld": _l("upheld"),
    "rejected": _l("rejected"),
    "in_evaluation": _l("being evaluated"),
    "evaluated": _l("evaluated"),
    "published": _l("announced"),
    "not_advanced": _l("did not advance"),
    "not_reached": _l("not reached"),
    "advanced_override": _l("advanced (committee override)"),
    "not_advanced_override": _l("did not advance (committee override)"),
    "not_advanced_objection": _l("did not advance (objection upheld)"),
    "eligible": _l("eligible"),
    "ineligible": _l("not eligible"),
    # Normalization methods of a ranking (Publication.method, Stage.method); the same words
    # as judging.analysis.services.METHOD_LABELS, which competition may not import.
    "raw": _l("Raw mean"),
    "median": _l("Median"),
    "zscore": _l("Z-score per judge"),
    "rank": _l("Percentile rank per judge"),
    "bias": _l("Judge offset model"),
    "bias_scale": _l("Judge offset and scale model"),
    "combined": _l("Weighted combination of the scored stages"),
}


def label(value) -> str:
    key = getattr(value, "value", value)
    return str(LABELS.get(key, key))


@pass_context
def label_filter(context, value) -> str:
    """``label`` as the templates' ``|label`` filter. It takes the template context only so
    that Jinja never folds it: a filter of a constant (``"not started"|label``) is otherwise
    computed once, when the template is compiled, in whatever language that first render
    had, and every later page showed that language."""
    return label(value)
