"""Who takes part: organisations (OPDs, agencies and their units) and user accounts."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from competition.accounts.password_hashing import hash_password, verify_password
from competition.db import UTCDateTime, _enum, db, utcnow
from competition.notifications.models import Notification
from competition.roles import Role


class Organisation(db.Model):
    """An OPD (Organisasi Perangkat Daerah) or another participating unit. A unit (UPP: a
    dinas, puskesmas, kecamatan...) may belong to a participating agency (``parent``), whose
    local administrator (Admin Lokal) creates its accounts and reviews its proposals."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Where it is, so the committee sees how finalists spread over the country: the
    # kabupaten/kota (e.g. "Kota Palembang") and the province, as typed. Empty: unknown (a
    # unit then counts under its agency's region).
    region: Mapped[str] = mapped_column(String(200), default="", server_default="")
    province: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # What kind of body it is (an ``OrganisationKind`` value: kelurahan, kecamatan, puskesmas,
    # dinas/badan, ...), for rounds open to some kinds only; "" when not set, then guessed from
    # the name (see ``competition.rounds.eligibility.kind_of``).
    kind: Mapped[str] = mapped_column(String(20), default="", server_default="")

    users: Mapped[list[User]] = relationship(back_populates="organisation")
    parent: Mapped[Organisation | None] = relationship(
        remote_side="Organisation.id", back_populates="units"
    )
    units: Mapped[list[Organisation]] = relationship(
        back_populates="parent", order_by="Organisation.name"
    )

    @property
    def place(self) -> tuple[str, str]:
        """``(region, province)``, the agency's when this unit has none of its own."""
        if not self.region and not self.province and self.parent is not None:
            return self.parent.place
        return self.region, self.province

    @property
    def agency_id(self) -> int:
        """The participating agency this organisation counts under (itself at the top)."""
        return self.parent_id or self.id


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(_enum(Role))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in the session cookie; rotating it ends every session of the account
    # (logout, password change, deactivation: see competition.sessions).
    session_token: Mapped[str] = mapped_column(
        String(64), default=lambda: secrets.token_hex(16), server_default=""
    )
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # A one-time password (from an import or the committee's "add account") must be changed at
    # the first login, and is refused after ``password_expires_at``; both clear once the owner
    # sets a password of their own.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")
    # The outbox's messages to this account, and their ``Notification.user``: declared here
    # because the outbox (competition.notifications) is plumbing below the accounts.
    notifications: Mapped[list[Notification]] = relationship(
        backref=backref("user", viewonly=True), viewonly=True
    )

    def set_password(self, password: str) -> None:
        # Argon2id with OWASP's parameters (competition.accounts.password_hashing).
        self.password_hash = hash_password(password)

    def set_own_password(self, password: str) -> None:
        """The owner chose ``password``: no longer a one-time password."""
        self.set_password(password)
        self.must_change_password = False
        self.password_expires_at = None

    def one_time_password_expired(self, now: datetime) -> bool:
        return self.password_expires_at is not None and now >= self.password_expires_at

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def get_id(self) -> str:  # Flask-Login stores this in the session cookie
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def is_committee(self) -> bool:
        return self.role == Role.COMMITTEE

    @property
    def is_judge(self) -> bool:
        return self.role == Role.JUDGE

    @property
    def is_opd(self) -> bool:
        return self.role == Role.OPD

    @property
    def is_agency_admin(self) -> bool:
        return self.role == Role.AGENCY
