"""Import accounts (OPDs, judges, agency administrators, committee members) from a CSV or XLSX
file: read, check every row, and only when no row has an error create them all at once.

Columns (header row, any order, English or Indonesian names): ``username``, ``name``/``nama``,
``role``/``peran`` (committee/panitia, judge/juri, opd, agency/admin lokal), ``email``/``surel``
and ``organisation``/``opd``/``organisasi`` (the OPD of an OPD or agency account, created when
missing; a judge's affiliation), and optionally ``region``/``kabupaten/kota`` and
``province``/``provinsi`` (where the organisation is: given to a new organisation, or to an
existing one that has none yet). CSV files may be UTF-8 with or without a BOM, separated by
commas, semicolons (Excel's choice under an Indonesian locale) or tabs."""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import func, select

from competition.accounts.models import Organisation, Role, User
from competition.accounts.passwords import password_problems
from competition.actors import records_actor
from competition.db import db, utcnow
from competition.errors import InvalidState
from competition.notifications import services as notifications
from competition.text import clean_text

MAX_ROWS = 2000


# A one-time password is refused this long after it was given: its owner sets their own at the
# first login (competition.accounts.views), or asks for a new one.
ONE_TIME_PASSWORD_DAYS = 7


EXTENSIONS = ("csv", "xlsx")


COLUMNS = {
    "username": "username",
    "pengguna": "username",
    "nama pengguna": "username",
    "name": "name",
    "nama": "name",
    "nama lengkap": "name",
    "role": "role",
    "peran": "role",
    "email": "email",
    "e-mail": "email",
    "surel": "email",
    "organisation": "organisation",
    "organization": "organisation",
    "organisasi": "organisation",
    "opd": "organisation",
    "instansi": "organisation",
    "affiliation": "organisation",
    "region": "region",
    "kabupaten/kota": "region",
    "kabupaten": "region",
    "kota": "region",
    "wilayah": "region",
    "daerah": "region",
    "province": "province",
    "provinsi": "province",
}


ROLES = {
    "committee": Role.COMMITTEE,
    "panitia": Role.COMMITTEE,
    "judge": Role.JUDGE,
    "juri": Role.JUDGE,
    "opd": Role.OPD,
    "agency": Role.AGENCY,
    "admin lokal": Role.AGENCY,
    "admin_lokal": Role.AGENCY,
}


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


_USERNAME = re.compile(r"[a-z0-9._-]{2,80}")


@dataclass
class ImportRow:
    line: int  # as in the file (the header is line 1)
    username: str
    name: str
    role: str
    email: str
    organisation: str
    region: str = ""
    province: str = ""
    errors: list[str] = field(default_factory=list)
    new_organisation: bool = False
    # The same errors by column ("username", "name", "role", "email", "organisation"), for a
    # form that marks its fields (the committee's "add account").
    field_errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, column: str, message) -> None:
        self.errors.append(message)
        self.field_errors.setdefault(column, []).append(message)


def _text(value) -> str:
    """A cell as text, without control characters (as every form field: competition.text)."""
    return "" if value is None else clean_text(str(value)).strip()


def _records(filename: str, data: bytes) -> list[list[str]]:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext == "xlsx":
        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            return [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise InvalidState(_l("The file could not be read as an Excel workbook.")) from exc
    if ext == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        first = text.splitlines()[0] if text else ""
        delimiter = max((";", ",", "\t"), key=first.count)
        try:
            return [
                [_text(c) for c in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            ]
        except csv.Error as exc:  # e.g. a stray carriage return (found by a property test)
            raise InvalidState(_l("The file could not be read as CSV.")) from exc
    raise InvalidState(_l("Upload a CSV or XLSX file."))


def parse(filename: str, data: bytes) -> list[ImportRow]:
    """The file's rows (blank rows skipped), not yet checked. Refuses a file without the
    required columns or with too many rows."""
    records = _records(filename, data)
    if not records:
        raise InvalidState(_l("The file is empty."))
    header = [COLUMNS.get(h.strip().lower()) for h in records[0]]
    missing = [c for c in ("username", "name", "role") if c not in header]
    if missing:
        raise InvalidState(
            _l("The first row must name the columns; missing: %(cols)s.", cols=", ".join(missing))
        )
    rows = []
    for line, record in enumerate(records[1:], start=2):
        if not any(record):
            continue
        values = {key: record[i] if i < len(record) else "" for i, key in enumerate(header) if key}
        rows.append(
            ImportRow(
                line=line,
                username=values.get("username", "").lower(),
                name=values.get("name", ""),
                role=values.get("role", ""),
                email=values.get("email", ""),
                organisation=values.get("organisation", ""),
                region=values.get("region", ""),
                province=values.get("province", ""),
            )
        )
    if not rows:
        raise InvalidState(_l("The file has no rows to import."))
    if len(rows) > MAX_ROWS:
        raise InvalidState(_l("At most %(n)d rows at a time.", n=MAX_ROWS))
    return rows


def check(rows: list[ImportRow]) -> list[ImportRow]:
    """Fill each row's ``errors`` (and ``new_organisation``) against the file and the
    database."""
    taken = set(
        db.session.scalars(
            select(func.lower(User.username)).where(
                func.lower(User.username).in_([r.username for r in rows])
            )
        )
    )
    existing = {n.casefold() for n in db.session.scalars(select(Organisation.name))}
    seen: dict[str, int] = {}
    for r in rows:
        r.errors, r.field_errors = [], {}
        if not r.username:
            r.refuse("username", _l("The username is missing."))
        elif not _USERNAME.fullmatch(r.username):
            r.refuse(
                "username",
                _l("A username has 2 to 80 letters, digits, dots, dashes or underscores."),
            )
        elif r.username in taken:
            r.refuse("username", _l("This username is already taken."))
        elif r.username in seen:
            r.refuse("username", _l("Same username as line %(line)d.", line=seen[r.username]))
        seen.setdefault(r.username, r.line)
        if not r.name:
            r.refuse("name", _l("The name is missing."))
        role = ROLES.get(r.role.strip().lower())
        if role is None:
            r.refuse(
                "role",
                _l('Unknown role "%(role)s" (committee, judge, opd or agency).', role=r.role),
            )
        if r.email and not _EMAIL.fullmatch(r.email):
            r.refuse("email", _l("The email address is not valid."))
        needs_org = role in (Role.OPD, Role.AGENCY)
        if needs_org and not r.organisation:
            r.refuse("organisation", _l("An OPD or agency account needs its organisation."))
        r.new_organisation = (
            needs_org and bool(r.organisation) and r.organisation.casefold() not in existing
        )
    return rows


def _one_time_password(username: str) -> str:
    while True:
        password = secrets.token_urlsafe(9)  # 12 characters, 72 random bits
        if not password_problems(password, username=username):
            return password


def give_one_time_password(user: User, *, now: datetime) -> str:
    """Give ``user`` a fresh random password, to be changed at the first login and refused after
    ``ONE_TIME_PASSWORD_DAYS``; returns it (shown once, never stored in clear)."""
    password = _one_time_password(user.username)
    user.set_password(password)
    user.must_change_password = True
    user.password_expires_at = now + timedelta(days=ONE_TIME_PASSWORD_DAYS)
    return password


@records_actor
def import_rows(*, rows: list[ImportRow], actor: User) -> list[tuple[User, str]]:
    """Create every account of ``rows`` (checked again first: nothing is created when any row
    has an error) with a one-time password each; returns (user, password) pairs."""
    if any(r.errors for r in check(rows)):
        raise InvalidState(_l("Some rows have errors: nothing was imported."))
    orgs = {o.name.casefold(): o for o in db.session.scalars(select(Organisation))}
    created, now = [], utcnow()
    for r in rows:
        role = ROLES[r.role.strip().lower()]
        org = None
        if role in (Role.OPD, Role.AGENCY):
            org = orgs.get(r.organisation.casefold())
            if org is None:
                org = orgs[r.organisation.casefold()] = Organisation(name=r.organisation)
                db.session.add(org)
            if not org.region and not org.province:  # never overwrite a recorded region
                org.region, org.province = r.region[:200], r.province[:100]
        user = User(
            username=r.username,
            name=r.name,
            role=role,
            email=r.email or None,
            organisation=org,
            affiliation=r.organisation or None if role == Role.JUDGE else None,
        )
        password = give_one_time_password(user, now=now)
        db.session.add(user)
        created.append((user, password))
    db.session.flush()
    notifications.accounts_created(users=[u for u, _p in created], now=now)
    return created
