"""Logging in (with the throttle against guessing), where each role lands, and the committee's
list of accounts where it adds one, deactivates and reactivates them; reset links issued by the
committee or an Admin Lokal."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.accounts import imports, password_reset, sessions, throttle
from competition.accounts.models import Organisation, User
from competition.accounts.password_hashing import hash_password, needs_rehash, verify_password
from competition.actors import records_actor
from competition.audit import services as audit
from competition.audit.models import AuditRecord
from competition.db import db
from competition.errors import InvalidFields, InvalidState, NotAllowed
from competition.roles import Role

HOME_BY_ROLE = {
    Role.COMMITTEE: "committee.rounds",
    Role.JUDGE: "judge.index",
    Role.OPD: "opd.entries",
    Role.AGENCY: "agency.index",
}


def home_for(user: User) -> str:
    return url_for(HOME_BY_ROLE[user.role])


# Throttling: failed logins counted from the audit trail (shared by every worker and server,
# survives restarts; see competition.accounts.throttle). A stranger must not be able to lock the
# owner out, nor one address the whole site: 5 wrong passwords only block that account from that
# address; 20 failures only block that address; an account is slowed down from everywhere only
# after NIST SP 800-63B's order of 100 failures an hour, and even then not from an address it
# logged in from lately.
WINDOW = throttle.WINDOW


MAX_FAILS_PER_ACCOUNT_AND_ADDRESS = 5


MAX_FAILS_PER_ADDRESS = 20


MAX_FAILS_PER_ACCOUNT = 100


ACCOUNT_WINDOW = timedelta(hours=1)


KNOWN_ADDRESS_DAYS = 30


def _logged_in_from(username: str, address: str, now: datetime) -> bool:
    """Whether the account typed as ``username`` logged in from ``address`` lately."""
    user_id = db.session.scalar(select(User.id).where(User.username == username.strip()))
    if user_id is None or not address:
        return False
    return (
        db.session.scalar(
            select(AuditRecord.id)
            .where(
                AuditRecord.action == "login",
                AuditRecord.target_type == "users",
                AuditRecord.target_id == str(user_id),
                AuditRecord.address == address,
                AuditRecord.created_at > now - timedelta(days=KNOWN_ADDRESS_DAYS),
            )
            .limit(1)
        )
        is not None
    )


def login_blocked_for(username: str, address: str, now: datetime) -> int:
    """Minutes until another login attempt for ``username`` from ``address`` is allowed (0: now)."""
    key = throttle.key_for(username)
    wait = guess_blocked_for(action="login_failed", key=key, address=address, now=now)
    if wait or _logged_in_from(username, address, now):
        return wait
    account_wide = throttle.Limit(MAX_FAILS_PER_ACCOUNT, key=key, window=ACCOUNT_WINDOW)
    return throttle.blocked_minutes(action="login_failed", now=now, limits=[account_wide])


def guess_blocked_for(*, action: str, key: str, address: str, now: datetime) -> int:
    """The per-(account, address) and per-address limits on guessing a password, shared by the
    login form and the current-password field of the change-password form."""
    return throttle.blocked_minutes(
        action=action,
        now=now,
        limits=[
            throttle.Limit(MAX_FAILS_PER_ACCOUNT_AND_ADDRESS, key=key, address=address),
            throttle.Limit(MAX_FAILS_PER_ADDRESS, address=address),
        ],
    )


# Verified against when the account does not exist, so that an unknown username takes as long to
# refuse as a wrong password (no telling which usernames exist from the answer's timing).
@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def authenticate(username: str, password: str) -> User | None:
    """The enabled account ``username`` when ``password`` is its password, else None.

    A hash from before Argon2id (Werkzeug's scrypt or pbkdf2), or with older parameters, is
    replaced by a new one once the password has proved right. It is not flushed here: the
    login's write (``login_user``, the ``login`` record) flushes it with them, so the trail's
    update of ``password_hash`` (redacted, as for any password change) names the account."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        verify_password(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_enabled:
        return None
    if needs_rehash(user.password_hash):
        user.set_password(password)
    return user


def list_users() -> list[User]:
    return db.session.scalars(
        select(User).options(selectinload(User.organisation)).order_by(User.role, User.username)
    ).all()


@records_actor
def set_enabled(*, user: User, enabled: bool, actor: User) -> User:
    """Deactivate or reactivate ``user``; deactivation ends their sessions. Nobody
    deactivates their own account (the committee would lock itself out)."""
    if user.id == actor.id and not enabled:
        raise InvalidState(_l("You cannot deactivate your own account."))
    user.is_enabled = enabled
    if not enabled:
        sessions.end_sessions(user)
    db.session.flush()
    return user


@records_actor
def create_account(
    *,
    username: str,
    name: str,
    role: Role,
    organisation: Organisation | None,
    new_organisation: str,
    email: str,
    actor: User,
) -> tuple[User, str]:
    """The committee adds one account, checked as an imported row is (``imports.check``): an OPD
    or Admin Lokal account belongs to ``organisation`` or to one named ``new_organisation``
    (created when missing); for a judge that name is the affiliation. Returns the account and
    its one-time password, changed at the first login."""
    if not actor.is_committee:
        raise NotAllowed()
    org_name = " ".join((new_organisation or "").split()) or (
        organisation.name if organisation is not None else ""
    )
    row = imports.ImportRow(
        line=1,
        username=(username or "").strip().lower(),
        name=" ".join((name or "").split()),
        role=Role(role).value,
        email=(email or "").strip(),
        organisation=org_name,
    )
    if imports.check([row])[0].errors:
        raise InvalidFields(row.field_errors)
    return imports.import_rows(rows=[row], actor=actor)[0]


def can_issue_reset_link(actor: User, user: User) -> bool:
    """The committee, for any account; an Admin Lokal, for the accounts of its own units."""
    if actor.is_committee:
        return True
    return (
        actor.is_agency_admin
        and actor.organisation_id is not None
        and user.organisation is not None
        and user.organisation.parent_id == actor.organisation_id
    )


@records_actor
def issue_reset_link(*, user: User, actor: User) -> str:
    """A token for a link to set a new password (``password_reset.ISSUED_MAX_AGE``, until used),
    for ``actor`` to pass on to the owner when there is no e-mail; audited."""
    if not can_issue_reset_link(actor, user):
        raise NotAllowed()
    if not user.is_enabled:
        raise InvalidState(_l("This account is deactivated: reactivate it first."))
    token = password_reset.make_token(user, issued=True)
    audit.record("password_reset_link", "users", user.id, actor=actor)
    db.session.flush()
    return token
