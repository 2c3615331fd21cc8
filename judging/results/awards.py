"""Publishing results with their awards and certificates, and issuing and revoking certificates
(the award levels are ``judging.award_levels``; what a publication shows is
``judging.results.publications``, the register of issued certificates
``judging.results.certificate_register``, the OPDs' message ``judging.results.messages``).
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

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, insert, select, update

from competition.accounts.models import Organisation, User
from competition.actors import records_actor
from competition.audit import services as audit
from competition.db import bulk_insert, db
from competition.entries.models import Entry
from competition.errors import InvalidState
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
from judging.results import certificate_register, messages, numbers, publications
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
    previous = publications.latest_publication(stage)
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
    messages.notify_opds(publication=pub, now=now)  # tell the OPDs
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
                certificate_register.valid_entry_certificates_statement(
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
