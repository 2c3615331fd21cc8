"""Published results, awards and certificates (the award levels are ``judging.award_levels``).
Judging hands over plain rows; nothing here knows how the places were computed.

A publication is an immutable, versioned snapshot of a stage's ranking: every entry's score,
rank and award, the method and its parameters, and a SHA-256 digest of the input scores. Its
rows are written once (bulk inserts) and never updated (the ORM refuses, see the listeners at
the end); a correction is a new version with a reason, and the older versions stay readable.
Certificates keep their own copy of what they print; they are revoked, never edited or deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, insert, or_, select, update
from sqlalchemy.orm import aliased, selectinload

from competition.accounts.models import Organisation, User
from competition.actors import records_actor
from competition.audit import services as audit
from competition.db import bulk_insert, db
from competition.entries.models import Entry
from competition.errors import InvalidState
from competition.notifications import services as notifications
from competition.roles import Role
from competition.rounds.models import Category, Round, Stage
from judging.award_levels.services import (  # noqa: F401 - also offered here: awards.Level...
    PRESETS,
    ROMAN,
    Level,
    award_for,
    default_levels,
    gives_awards,
    levels_for,
    list_levels,
    set_levels,
)
from judging.results import numbers
from judging.results.models import (
    AwardSettings,
    Certificate,
    CertificateKind,
    Publication,
    Result,
)

PARTICIPATION = "Peserta"  # printed on participation certificates


APPRECIATION = "Juri"  # printed on judges' certificates of appreciation


STYLES = ("ranked", "alphabetical")


@dataclass(frozen=True)
class ResultRow:
    entry_id: int
    category_id: int
    rank: int
    score: float
    raw_score: float
    n_judges: int
    rank_lo: int | None = None  # range of likely places holding ``rank`` (None: not given)
    rank_hi: int | None = None
    tied_with_next: bool | None = None


def settings_of(round_: Round) -> AwardSettings:
    """The round's publication and certificate settings (created on first use, not flushed)."""
    found = db.session.scalar(select(AwardSettings).where(AwardSettings.round_id == round_.id))
    if found is None:
        found = AwardSettings(
            round_id=round_.id,
            style="ranked",
            announcement="",
            government="",
            place="",
            signer1_name="",
            signer1_title="",
            signer2_name="",
            signer2_title="",
        )
    return found


@records_actor
def save_award_settings(
    *, round_: Round, levels: list[Level], style: str, announcement: str, actor: User
) -> AwardSettings:
    """The round's award levels (``set_levels``, which raises ``InvalidState`` for levels out
    of order) and how its results are published: ``style`` and the ``announcement`` text."""
    set_levels(round_=round_, levels=levels, actor=actor)
    settings = settings_of(round_)
    settings.style, settings.announcement = style, announcement
    db.session.add(settings)
    db.session.flush()
    return settings


def latest_publication(stage: Stage) -> Publication | None:
    return db.session.scalar(
        select(Publication)
        .where(Publication.stage_id == stage.id)
        .order_by(Publication.version.desc())
        .limit(1)
    )


def list_publications(stage: Stage) -> list[Publication]:
    """Every version of the stage's publication, newest first."""
    return list(
        db.session.scalars(
            select(Publication)
            .where(Publication.stage_id == stage.id)
            .options(selectinload(Publication.published_by))
            .order_by(Publication.version.desc())
        )
    )


@records_actor
def record_results(
    *,
    stage: Stage,
    rows: list[ResultRow],
    actor: User,
    now: datetime,
    method: str = "",
    params: dict | None = None,
    scores_digest: str = "",
    n_sheets: int = 0,
    reason: str = "",
) -> Publication:
    """Freeze the stage's ranking as a new publication version, give each entry its award
    (``levels_for``) and certificate, and make the round's results public. Only the round's
    last scored stage gives awards and certificates (``gives_awards``): an earlier stage's
    ranking is published without them (``params["without_awards"]``).

    The first version needs no reason; any later one is a correction and must give one
    (``InvalidState`` otherwise). Certificates of entries whose award is unchanged stay valid;
    the others are revoked with the correction's reason and new ones issued. Bulk inserts: a
    national round has tens of thousands of entries. ``params`` (JSON-able) records the method's
    parameters; the award levels and the style are added to it."""
    previous = latest_publication(stage)
    reason = (reason or "").strip()
    if previous is not None and not reason:
        raise InvalidState(_l("A correction needs a reason: it is shown on the public page."))
    if not rows:
        raise InvalidState(_l("There is nothing to publish: no entry has a submitted score."))
    awarded = gives_awards(stage)
    levels = levels_for(stage)  # none before the last scored stage
    style = settings_of(stage.round).style
    params = dict(params or {})
    params["awards"] = [
        {"title": lv.title, "up_to_rank": lv.up_to_rank, "prize": lv.prize} for lv in levels
    ]
    if awarded:
        params["participation"] = PARTICIPATION
    else:  # an earlier stage's ranking: no award, no certificate (``gives_awards``)
        params["without_awards"] = True
    pub = Publication(
        stage_id=stage.id,
        version=previous.version + 1 if previous else 1,
        method=method,
        params=json.dumps(params, sort_keys=True),
        scores_digest=scores_digest,
        n_sheets=n_sheets,
        style=style,
        reason=reason,
        published_at=now,
        published_by_id=actor.id,
    )
    db.session.add(pub)
    db.session.flush()

    awards = [award_for(r.rank, levels) for r in rows]
    # Core inserts of plain dicts: no ORM bookkeeping per row (tens of thousands of rows).
    bulk_insert(
        Result.__table__,
        [
            {
                "publication_id": pub.id,
                "stage_id": stage.id,
                "entry_id": r.entry_id,
                "category_id": r.category_id,
                "rank": r.rank,
                "score": r.score,
                "raw_score": r.raw_score,
                "n_judges": r.n_judges,
                "rank_lo": r.rank_lo,
                "rank_hi": r.rank_hi,
                "tied_with_next": r.tied_with_next,
                "award": a.title if a else "",
                "prize": a.prize if a else None,
                "published_at": now,
            }
            for r, a in zip(rows, awards)
        ],
    )
    # The bulk insert bypasses the audit listener: record what was written, with a digest of
    # every row, in the same transaction.
    audit.record(
        "results_written",
        "publications",
        pub.id,
        after={
            "stage_id": stage.id,
            "version": pub.version,
            **audit.bulk_summary(
                [
                    f"{r.entry_id}:{r.rank}:{r.score!r}:{a.title if a else ''}"
                    for r, a in zip(rows, awards)
                ],
                name="rows",
            ),
        },
        actor=actor,
    )
    if awarded:
        _issue_entry_certificates(stage, pub, previous, now, actor, reason)
    stage.published_at = now
    stage.round.results_published_at = now
    db.session.flush()
    notify_opds(publication=pub, now=now)  # tell the OPDs
    return pub


def _issue_entry_certificates(stage, pub, previous, now, actor, reason) -> None:
    """Award certificates for every awarded entry and participation certificates for every
    other ranked entry of ``pub``, keeping the still-right certificates of ``previous``."""
    results = db.session.execute(
        select(
            Result.id,
            Result.entry_id,
            Result.category_id,
            Result.award,
            Entry.title,
            Organisation.name,
        )
        .join(Entry, Result.entry_id == Entry.id)
        .join(Organisation, Entry.organisation_id == Organisation.id)
        .where(Result.publication_id == pub.id, Result.rank >= 1)
    ).all()
    kept: dict[int, tuple[int, str]] = {}
    if previous is not None:
        kept = {
            e: (cid, award)
            for cid, e, award in db.session.execute(
                valid_entry_certificates_statement(
                    stage, Certificate.id, Certificate.entry_id, Certificate.award
                )
            )
        }
    categories = dict(
        db.session.execute(
            select(Category.id, Category.name).where(Category.round_id == stage.round_id)
        ).all()
    )
    todo = []
    superseded = []
    placed = set()
    for rid, entry_id, category_id, award, title, holder in results:
        placed.add(entry_id)
        printed = award or PARTICIPATION
        old = kept.get(entry_id)
        if old is not None and old[1] == printed:
            continue
        if old is not None:
            superseded.append(old[0])
        todo.append((rid, entry_id, category_id, printed, bool(award), title, holder))
    superseded += [cid for e, (cid, _a) in kept.items() if e not in placed]
    if superseded:
        revoked = db.session.scalars(
            select(Certificate.code).where(Certificate.id.in_(superseded))
        ).all()
        db.session.execute(
            update(Certificate)
            .where(Certificate.id.in_(superseded))
            .values(
                revoked_at=now,
                revoked_by_id=actor.id,
                revoked_reason=f"Versi {pub.version}: {reason}",
            )
        )
        audit.record(
            "certificates_revoked",
            "publications",
            pub.id,
            after={"reason": f"Versi {pub.version}: {reason}", **audit.bulk_summary(revoked)},
            actor=actor,
        )
    if todo:
        codes = numbers.new_numbers(len(todo))
        audit.record(
            "certificates_issued",
            "publications",
            pub.id,
            after=audit.bulk_summary(codes),
            actor=actor,
        )
        bulk_insert(
            Certificate.__table__,
            [
                {
                    "code": code,
                    "kind": CertificateKind.AWARD if is_award else CertificateKind.PARTICIPATION,
                    "round_id": stage.round_id,
                    "result_id": rid,
                    "entry_id": entry_id,
                    "holder": holder,
                    "title": title,
                    "category": categories.get(category_id, ""),
                    "award": printed,
                    "issued_at": now,
                    "revoked_reason": "",
                }
                for code, (rid, entry_id, category_id, printed, is_award, title, holder) in zip(
                    codes, todo
                )
            ],
        )


def get_publication(stage: Stage, version: int | None = None) -> Publication | None:
    if version is None:
        return latest_publication(stage)
    return db.session.scalar(
        select(Publication).where(Publication.stage_id == stage.id, Publication.version == version)
    )


def public_results_statement(publication: Publication, *columns):
    """``select(*columns)`` (of ``Result``, joined to what they need) over what the public sees
    of a publication: every ranked row, except in the alphabetical style, which announces only
    the awarded rows when it has any (as KIPP announces its Top 45). The one rule for the public
    pages, their exports and the results API (rows and counts alike)."""
    stmt = select(*columns).where(Result.publication_id == publication.id)
    if publication.style == "alphabetical":
        other = aliased(Result)  # not correlated with the outer rows: one test per publication
        any_awarded = (
            select(other.id)
            .where(other.publication_id == publication.id, other.award != "")
            .exists()
        )
        stmt = stmt.where(or_(Result.award != "", ~any_awarded))
    return stmt


def _by_title(category_id: int, title: str) -> tuple[int, str]:
    """The order of the alphabetical style: by category, then title (whatever the case)."""
    return category_id, title.casefold()


def list_results(
    publication: Publication, *, max_rank: int | None = None, public: bool = False
) -> list[Result]:
    """A publication's rows by category then place (alphabetical style: by title); with
    ``max_rank``, only the places up to it in each category (a national round's page); with
    ``public``, only what the public sees (``public_results_statement``)."""
    if public:
        stmt = public_results_statement(publication, Result)
    else:
        stmt = select(Result).where(Result.publication_id == publication.id)
    if max_rank is not None and publication.style != "alphabetical":
        stmt = stmt.where(Result.rank <= max_rank)
    results = list(
        db.session.scalars(
            stmt.options(
                selectinload(Result.entry).selectinload(Entry.organisation),
                selectinload(Result.category),
            ).order_by(Result.category_id, Result.rank, Result.id)
        )
    )
    if publication.style == "alphabetical":
        results.sort(key=lambda r: _by_title(r.category_id, r.entry.title))
    return results


def list_published_results(
    round_: Round, *, max_rank: int | None = None, public: bool = False
) -> list[tuple[Stage, Publication, list[Result]]]:
    """Published stages of a round with their latest publication and its results (up to
    ``max_rank`` in each category when given; only what the public sees with ``public``)."""
    out = []
    for stage in round_.stages:
        pub = latest_publication(stage)
        if pub is not None:
            out.append((stage, pub, list_results(pub, max_rank=max_rank, public=public)))
    return out


def count_public_results(publication: Publication) -> list[tuple[int, str, int]]:
    """(category id, category name, public rows) of a publication, by category id: one
    statement (``public_results_statement``)."""
    return [
        (category_id, name, n)
        for category_id, name, n in db.session.execute(
            public_results_statement(
                publication, Result.category_id, Category.name, func.count(Result.id)
            )
            .join(Category, Category.id == Result.category_id)
            .group_by(Result.category_id, Category.name)
            .order_by(Result.category_id)
        )
    ]


@dataclass(frozen=True)
class PublicRow:
    """One public row of a publication as plain values (no ORM object per entry)."""

    entry_id: int
    category_id: int
    rank: int
    score: float
    award: str
    prize: int | None
    title: str
    opd: str
    rank_lo: int | None = None
    rank_hi: int | None = None
    tied_with_next: bool | None = None


def public_result_rows(publication: Publication, *, offset: int, limit: int) -> list[PublicRow]:
    """The publication's public rows ``offset .. offset + limit`` in the order of the public
    page (by category, then place; alphabetical style: by title), as plain rows: one
    statement."""
    stmt = (
        public_results_statement(
            publication,
            Result.entry_id,
            Result.category_id,
            Result.rank,
            Result.score,
            Result.award,
            Result.prize,
            Entry.title,
            Organisation.name,
            Result.rank_lo,
            Result.rank_hi,
            Result.tied_with_next,
        )
        .join(Entry, Entry.id == Result.entry_id)
        .join(Organisation, Organisation.id == Entry.organisation_id)
        .order_by(Result.category_id, Result.rank, Result.id)
    )
    if publication.style == "alphabetical":  # awarded rows only: a few hundred at most
        rows = sorted(db.session.execute(stmt), key=lambda r: _by_title(r.category_id, r.title))
        return [PublicRow(*r) for r in rows[offset : offset + limit]]
    return [PublicRow(*r) for r in db.session.execute(stmt.offset(offset).limit(limit))]


def published_round(slug: str) -> Round | None:
    """The round with this slug if its results are public, else None."""
    return db.session.scalar(
        select(Round).where(Round.slug == slug, Round.results_published_at.is_not(None))
    )


def list_published_rounds() -> list[Round]:
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.results_published_at.is_not(None))
            .order_by(Round.results_published_at.desc())
        )
    )


@records_actor
def issue_appreciation_certificates(
    *, round_: Round, judges: list[User], actor: User, now: datetime
) -> int:
    """A certificate of appreciation for every judge of the round who has no valid one yet.
    Returns how many were issued."""
    have = set(
        db.session.scalars(
            select(Certificate.user_id).where(
                Certificate.round_id == round_.id,
                Certificate.kind == CertificateKind.APPRECIATION,
                Certificate.revoked_at.is_(None),
            )
        )
    )
    todo = [j for j in judges if j.id not in have]
    if todo:
        codes = numbers.new_numbers(len(todo))
        db.session.execute(
            insert(Certificate),
            [
                {
                    "code": code,
                    "kind": CertificateKind.APPRECIATION,
                    "round_id": round_.id,
                    "user_id": j.id,
                    "holder": j.name,
                    "title": "",
                    "category": "",
                    "award": APPRECIATION,
                    "issued_at": now,
                    "revoked_reason": "",
                }
                for code, j in zip(codes, todo)
            ],
        )
        audit.record(
            "certificates_issued", "rounds", round_.id, after=audit.bulk_summary(codes), actor=actor
        )
        db.session.flush()
    return len(todo)


def certificates_of_user(user: User) -> list[Certificate]:
    """A judge's valid certificates of appreciation, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None))
            .options(selectinload(Certificate.round))
            .order_by(Certificate.id.desc())
        )
    )


def certificates_of_entry(entry: Entry) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.entry_id == entry.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.id)
        )
    )


def valid_entry_certificates_statement(stage: Stage, *columns):
    """``select(*columns)`` (of ``Certificate``) over the stage's valid award and participation
    certificates: not revoked, from any of the stage's publications. The one rule for the
    publication that keeps them, ``valid_certificates_by_entry`` and the results API."""
    return (
        select(*columns)
        .join(Result, Certificate.result_id == Result.id)
        .where(
            Result.stage_id == stage.id,
            Certificate.revoked_at.is_(None),
            Certificate.kind.in_([CertificateKind.AWARD, CertificateKind.PARTICIPATION]),
        )
    )


def valid_certificate_awards(stage: Stage, entry_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(number, award printed) of the valid award or participation certificate of each of
    ``entry_ids`` from the stage's publications: one statement, plain values."""
    if not entry_ids:
        return {}
    return {
        entry_id: (code, award)
        for entry_id, code, award in db.session.execute(
            valid_entry_certificates_statement(
                stage, Certificate.entry_id, Certificate.code, Certificate.award
            ).where(Certificate.entry_id.in_(entry_ids))
        )
    }


def valid_certificates_by_entry(
    stage: Stage, entry_ids: list[int] | None = None
) -> dict[int, Certificate]:
    """The valid award or participation certificate of each entry from the stage's
    publications (a round with several published stages gives one per stage); only of
    ``entry_ids`` when given."""
    stmt = valid_entry_certificates_statement(stage, Certificate)
    if entry_ids is not None:
        if not entry_ids:
            return {}
        stmt = stmt.where(Certificate.entry_id.in_(entry_ids))
    return {c.entry_id: c for c in db.session.scalars(stmt)}


def list_special_awards(round_: Round) -> list[Certificate]:
    """The round's valid special awards, by title then recipient."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.round_id == round_.id,
                Certificate.kind == CertificateKind.SPECIAL,
                Certificate.revoked_at.is_(None),
            )
            .order_by(Certificate.award, Certificate.holder)
        )
    )


@records_actor
def give_special_award(
    *, round_: Round, entry: Entry, title: str, actor: User, now: datetime
) -> Certificate:
    """A special award (e.g. "Inovasi Terfavorit") for one submitted entry of the round, with
    its certificate. Outside the ranking, so corrections of the ranking leave it alone."""
    title = (title or "").strip()
    if not title:
        raise InvalidState(_l("Name the special award."))
    if entry.round_id != round_.id or not entry.is_submitted:
        raise InvalidState(_l("Only a submitted entry of this round can receive an award."))
    cert = Certificate(
        code=numbers.new_number(),
        kind=CertificateKind.SPECIAL,
        round_id=round_.id,
        entry_id=entry.id,
        holder=entry.organisation.name,
        title=entry.title,
        category=entry.category.name,
        award=title,
        issued_at=now,
        revoked_reason="",
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def list_certificates(
    round_: Round, *, search: str = "", limit: int = 200, offset: int = 0
) -> tuple[list[Certificate], int]:
    """The round's certificates matching ``search`` (a number, or part of the recipient's name
    or the innovation's title), at most ``limit`` of them from the ``offset``-th on, and how
    many match in all: a national round has tens of thousands."""
    query = select(Certificate).where(Certificate.round_id == round_.id)
    search = (search or "").strip()
    if search:
        number = numbers.canonical(search)
        like = f"%{search}%"
        query = query.where(
            Certificate.code == number
            if number
            else Certificate.holder.ilike(like) | Certificate.title.ilike(like)
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        db.session.scalars(
            query.order_by(
                Certificate.kind, Certificate.category, Certificate.holder, Certificate.id
            )
            .offset(offset)
            .limit(limit)
        )
    )
    return rows, total


def count_certificates(round_: Round) -> int:
    return (
        db.session.scalar(
            select(func.count(Certificate.id)).where(
                Certificate.round_id == round_.id, Certificate.revoked_at.is_(None)
            )
        )
        or 0
    )


def find_certificate(code: str) -> Certificate | None:
    """The certificate with this number; None for a number this server never issued (checked
    without a query) or does not hold."""
    if numbers.is_legacy(code):
        number = code.strip().upper()
    elif numbers.is_well_formed(code):
        number = numbers.canonical(code)
    else:
        return None
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.code == number)
        .options(selectinload(Certificate.round), selectinload(Certificate.revoked_by))
    )


def replacement_of(certificate: Certificate) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.replaces_id == certificate.id)
        .order_by(Certificate.id.desc())
        .limit(1)
    )


@records_actor
def revoke_certificate(
    *, certificate: Certificate, reason: str, actor: User, now: datetime
) -> Certificate:
    """Revoke a certificate: its number then verifies as revoked, with the reason and date."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidState(_l("Give the reason for revoking the certificate."))
    if certificate.is_revoked:
        raise InvalidState(_l("This certificate is already revoked."))
    certificate.revoked_at = now
    certificate.revoked_reason = reason
    certificate.revoked_by_id = actor.id
    db.session.flush()
    return certificate


@records_actor
def reissue_certificate(
    *,
    certificate: Certificate,
    reason: str,
    actor: User,
    now: datetime,
    holder: str | None = None,
    title: str | None = None,
) -> Certificate:
    """Revoke ``certificate`` (if still valid) and issue a new number for the same award,
    optionally with a corrected holder or title (a misspelt name is the usual reason)."""
    if not certificate.is_revoked:
        revoke_certificate(certificate=certificate, reason=reason, actor=actor, now=now)
    elif not (reason or "").strip():
        raise InvalidState(_l("Give the reason for revoking the certificate."))
    new = Certificate(
        code=numbers.new_number(),
        kind=certificate.kind,
        round_id=certificate.round_id,
        result_id=certificate.result_id,
        entry_id=certificate.entry_id,
        user_id=certificate.user_id,
        holder=(holder or certificate.holder).strip(),
        title=(title if title is not None else certificate.title).strip(),
        category=certificate.category,
        award=certificate.award,
        issued_at=now,
        revoked_reason="",
        replaces_id=certificate.id,
    )
    db.session.add(new)
    db.session.flush()
    return new


class PublishedRowFrozen(RuntimeError):
    """A bug, not a user error: code tried to edit or delete a published row."""


@event.listens_for(Publication, "before_update")
@event.listens_for(Result, "before_update")
@event.listens_for(Publication, "before_delete")
@event.listens_for(Result, "before_delete")
def _frozen(mapper, connection, target):
    raise PublishedRowFrozen(f"{target.__tablename__} #{target.id} is part of a publication")


def published_winner_ids(stage: Stage) -> list[int]:
    """The entries placed within ``stage.winners_per_category`` in the stage's published
    results, by category then place (what an announcement after a scored stage lists)."""
    return list(
        db.session.scalars(
            select(Result.entry_id)
            .where(Result.stage_id == stage.id, Result.rank <= stage.winners_per_category)
            .order_by(Result.category_id, Result.rank)
        )
    )


def notify_opds(*, publication: Publication, now: datetime) -> int:
    """The published (or corrected) results of a stage, for the OPDs of its ranked entries.
    A national round tells thousands of accounts at once: the message is composed once per
    language and the outbox rows are written with one bulk insert. Returns how many."""
    stage = publication.stage
    # Two plain statements, not users IN (a join): inside the publishing transaction the
    # planner has no statistics of the rows just written, and PostgreSQL picked a nested loop
    # over users x entries x results for the semi-join (minutes for a national round).
    orgs = db.session.scalars(
        select(Entry.organisation_id)
        .join(Result, Result.entry_id == Entry.id)
        .where(Result.publication_id == publication.id)
        .distinct()
    ).all()
    users = db.session.execute(
        select(User.id, User.email, User.locale)
        .where(User.organisation_id.in_(orgs), User.role == Role.OPD, User.is_enabled.is_(True))
        .order_by(User.id)
    ).all()
    by_locale: dict[str, list] = {}
    for user in users:
        by_locale.setdefault(user.locale or "id", []).append(user)
    rows = []
    for locale, group in by_locale.items():
        with force_locale(locale):
            subject = _(
                "Results published: %(round)s, %(stage)s", round=stage.round.name, stage=stage.name
            )
            body = _(
                "The results of %(stage)s of %(round)s are published (version %(v)d).",
                stage=stage.name,
                round=stage.round.name,
                v=publication.version,
            )
            body += notifications.link("public.results", slug=stage.round.slug)
        rows += [
            {
                "user_id": u.id,
                "recipient": u.email or "",
                "subject": subject[:300],
                "body": body,
                "kind": "results_published",
                "created_at": now,
                "error": "",
            }
            for u in group
        ]
    return notifications.queue_many(rows)
