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
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from competition import exports
from competition.accounts import messages
from competition.accounts.models import Organisation, User
from competition.accounts.passwords import password_problems
from competition.actors import records_actor
from competition.db import db, utcnow
from competition.errors import InvalidState
from competition.roles import Role
from competition.text import clean_text

MAX_ROWS = 2000


# Limits checked before a file is read in full (issue 15, item 8: a 41 KB workbook declaring
# 8,000 rows of 16,384 columns took 13 s and 1.1 GB to refuse). A genuine file of MAX_ROWS
# accounts is far below each of them.
MAX_FILE_BYTES = 2 * 1024 * 1024  # the uploaded file
MAX_UNCOMPRESSED_BYTES = 10 * 1024 * 1024  # an XLSX's members together, as its zip directory says
MAX_ZIP_MEMBERS = 200
MAX_COLUMNS = 50  # a few account columns; 16,384 is what the probe declared
MAX_LINES = 2 * MAX_ROWS + 1  # rows read, blank ones and the header included
MAX_CELL_CHARS = 500


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


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _check_zip(data: bytes) -> None:
    """Refuse an XLSX whose zip directory declares too many members or too many bytes once
    uncompressed (a zip bomb), before anything is decompressed. Python's zipfile then never
    yields more than a member's declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidState(_l("The file could not be read as an Excel workbook.")) from exc
    if len(members) > MAX_ZIP_MEMBERS or (
        sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES
    ):
        raise InvalidState(
            _l(
                "This workbook unpacks to more than %(limit)s: it cannot be a list of accounts. "
                "Save the accounts alone in a new workbook, or as CSV.",
                limit=_megabytes(MAX_UNCOMPRESSED_BYTES),
            )
        )


def _too_wide() -> InvalidState:
    return InvalidState(
        _l(
            "The file has more than %(n)d columns. Keep only the account columns "
            "(username, name, role, email, organisation, region, province).",
            n=MAX_COLUMNS,
        )
    )


def _too_long() -> InvalidState:
    return InvalidState(
        _l(
            "The file has more than %(n)d rows. Import at most %(rows)d accounts at a time.",
            n=MAX_LINES,
            rows=MAX_ROWS,
        )
    )


def _cells(values, line: int) -> list[str]:
    """One row's cells as text, refusing an overlong cell."""
    cells = [_text(v) for v in values]
    for column, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL_CHARS:
            raise InvalidState(
                _l(
                    "Line %(line)d, column %(column)d holds %(length)d characters; a cell may "
                    "hold at most %(n)d.",
                    line=line,
                    column=column,
                    length=len(cell),
                    n=MAX_CELL_CHARS,
                )
            )
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise _too_wide()
    return cells


def _xlsx_records(data: bytes) -> list[list[str]]:
    """The first sheet's rows, streamed (openpyxl's read-only mode): the declared dimensions
    are checked first, then at most ``MAX_LINES`` rows of ``MAX_COLUMNS`` + 1 cells are read (a
    cell in the next column refuses the file; cells further right, possible only when the
    declared dimensions lie, are skipped without being expanded)."""
    _check_zip(data)
    try:
        workbook = exports.openpyxl().load_workbook(
            io.BytesIO(data), read_only=True, data_only=True
        )
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InvalidState(_l("The file could not be read as an Excel workbook.")) from exc
    try:
        if not workbook.worksheets:
            raise InvalidState(_l("The file is empty."))
        sheet = workbook.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise _too_wide()
        if (sheet.max_row or 0) > MAX_LINES:
            raise _too_long()
        records = []
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        for line, values in enumerate(rows, start=1):
            if line > MAX_LINES:
                raise _too_long()
            records.append(_cells(values, line))
        return records
    except InvalidState:
        raise
    except Exception as exc:
        raise InvalidState(_l("The file could not be read as an Excel workbook.")) from exc
    finally:
        workbook.close()


def _csv_records(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.splitlines()[0] if text else ""
    delimiter = max((";", ",", "\t"), key=first.count)
    records = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for line, values in enumerate(reader, start=1):
            if line > MAX_LINES:
                raise _too_long()
            records.append(_cells(values, line))
    except csv.Error as exc:  # e.g. a stray carriage return (found by a property test)
        raise InvalidState(_l("The file could not be read as CSV.")) from exc
    return records


def _records(filename: str, data: bytes) -> list[list[str]]:
    """The file's rows as lists of cell texts. Refuses, before reading everything, a file
    over ``MAX_FILE_BYTES``, an XLSX that unpacks to more than ``MAX_UNCOMPRESSED_BYTES``, and
    any file with more than ``MAX_LINES`` rows, ``MAX_COLUMNS`` columns or a cell longer than
    ``MAX_CELL_CHARS``."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in EXTENSIONS:
        raise InvalidState(_l("Upload a CSV or XLSX file."))
    if len(data) > MAX_FILE_BYTES:
        raise InvalidState(
            _l(
                "The file is larger than %(limit)s, the limit for an import.",
                limit=_megabytes(MAX_FILE_BYTES),
            )
        )
    return _xlsx_records(data) if ext == "xlsx" else _csv_records(data)


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
    messages.accounts_created(users=[u for u, _p in created], now=now)
    return created
