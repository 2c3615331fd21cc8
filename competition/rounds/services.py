"""Rounds, categories and stages: what the committee sets up before OPDs submit."""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from competition.accounts.kinds import OrganisationKind
from competition.accounts.models import Organisation, User
from competition.actors import records_actor
from competition.db import db, utcnow
from competition.errors import InvalidState, NotAllowed
from competition.forms import to_local
from competition.rounds.models import Category, Round, RoundStatus, Stage, StageKind
from competition.rounds.sections import EntryGroup

# The usual KIPP-style timeline: (name, kind, days after the submission deadline it opens,
# its length in days). The submission stage takes the round's own window. Names are data the
# committee may rename; they are given in Bahasa Indonesia, the language of the competitions.
STAGE_TEMPLATE = (
    ("Pendaftaran dan Pengiriman Proposal", StageKind.SUBMISSION, None, None),
    ("Seleksi Administrasi", StageKind.SCREENING, 1, 7),
    ("Penilaian Proposal (Desk Evaluation)", StageKind.SCORED, 8, 14),
    ("Presentasi dan Wawancara", StageKind.SCORED, 22, 7),
    ("Verifikasi Lapangan", StageKind.SCORED, 29, 7),
    ("Penetapan dan Pengumuman Pemenang", StageKind.ANNOUNCEMENT, 36, 7),
)


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "round"


def _unique_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(select(Round.id).where(Round.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_window(opens_at: datetime, closes_at: datetime, *, field: str = "closes_at") -> None:
    """Refused (about the closing time, the argument ``field``) unless it is after the opening."""
    if closes_at <= opens_at:
        raise InvalidState(_l("The closing time must be after the opening time."), field=field)


@records_actor
def create_round(
    *,
    name: str,
    description: str,
    submission_opens_at: datetime,
    submission_closes_at: datetime,
    actor: User,
) -> Round:
    """Create a round in draft status; OPDs cannot submit until it is opened."""
    _check_window(submission_opens_at, submission_closes_at, field="submission_closes_at")
    round_ = Round(
        name=name.strip(),
        slug=_unique_slug(name),
        description=description.strip(),
        submission_opens_at=submission_opens_at,
        submission_closes_at=submission_closes_at,
    )
    db.session.add(round_)
    db.session.flush()
    return round_


@records_actor
def add_category(*, round_: Round, name: str, description: str = "", actor: User) -> Category:
    name = name.strip()
    if any(c.name.lower() == name.lower() for c in round_.categories):
        raise InvalidState(_l("This round already has a category with that name."), field="name")
    category = Category(round=round_, name=name, description=description.strip())
    db.session.add(category)
    db.session.flush()
    return category


@records_actor
def add_stage(
    *,
    round_: Round,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    scale_min: int = 1,
    scale_max: int = 10,
    winners_per_category: int = 3,
    kind: StageKind = StageKind.SCORED,
    actor: User,
) -> Stage:
    """Add a stage (scored by default) at the end of the round's timeline."""
    _check_window(opens_at, closes_at)
    if scale_max <= scale_min:
        raise InvalidState(_l("The top of the scale must be above its bottom."), field="scale_max")
    stage = Stage(
        round=round_,
        name=name.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        scale_min=scale_min,
        scale_max=scale_max,
        winners_per_category=winners_per_category,
        position=len(round_.stages),
        kind=StageKind(kind),
        is_skipped=False,
    )
    db.session.add(stage)
    db.session.flush()
    return stage


@records_actor
def apply_stage_template(*, round_: Round, actor: User) -> list[Stage]:
    """Give a round without stages the usual sequence (``STAGE_TEMPLATE``), with windows
    following its submission deadline; the committee then renames, skips or moves them."""
    if round_.stages:
        raise InvalidState(_l("This round already has stages."))
    closes = round_.submission_closes_at
    out = []
    for name, kind, start, days in STAGE_TEMPLATE:
        if start is None:
            opens_at, closes_at = round_.submission_opens_at, closes
        else:
            opens_at = closes + timedelta(days=start)
            closes_at = opens_at + timedelta(days=days)
        out.append(
            add_stage(
                round_=round_,
                name=name,
                opens_at=opens_at,
                closes_at=closes_at,
                kind=kind,
                actor=actor,
            )
        )
    return out


@records_actor
def update_stage(
    *,
    stage: Stage,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    is_skipped: bool,
    actor: User,
) -> Stage:
    """Rename a stage, move its window or skip it. The window of the submission stage is
    the round's submission window, so both move together."""
    _check_window(opens_at, closes_at)
    if is_skipped and stage.kind == StageKind.SUBMISSION:
        raise InvalidState(_l("The submission stage cannot be skipped."))
    stage.name = name.strip()
    stage.opens_at, stage.closes_at = opens_at, closes_at
    stage.is_skipped = is_skipped
    if stage.kind == StageKind.SUBMISSION:
        stage.round.submission_opens_at, stage.round.submission_closes_at = opens_at, closes_at
    db.session.flush()
    return stage


def next_year_name(name: str, *, now: datetime | None = None) -> str:
    """The name of next year's round: "KOINYANLIK 2026" -> "KOINYANLIK 2027"; a name without a
    year gets the year after the current one in WIB (``now``, by default the present)."""
    years = re.findall(r"\b(20\d\d)\b", name)
    if not years:
        return f"{name} {to_local(now or utcnow()).year + 1}"
    return name.replace(years[-1], str(int(years[-1]) + 1))


@records_actor
def copy_round(*, source: Round, name: str, submission_opens_at: datetime, actor: User) -> Round:
    """A new draft round with the source's description, sections (labels, word limits,
    switched-off and own sections), caps, categories and
    stages (every date moved by the same shift as the submission opening), in the source's
    order. Entries and invitations are not copied; rubrics belong to judging, whose
    ``judging.scoring.rubric.copy_round_with_rubrics`` copies them too."""
    shift = submission_opens_at - source.submission_opens_at
    round_ = create_round(
        name=name,
        description=source.description,
        submission_opens_at=submission_opens_at,
        submission_closes_at=source.submission_closes_at + shift,
        actor=actor,
    )
    round_.word_limits = dict(source.word_limits or {})
    round_.section_settings = copy.deepcopy(source.section_settings or {})
    round_.eligible_kinds = list(source.eligible_kinds or [])
    round_.eligible_organisations = list(source.eligible_organisations or [])
    round_.cap_umum, round_.cap_replikasi, round_.cap_khusus = (
        source.cap_umum,
        source.cap_replikasi,
        source.cap_khusus,
    )
    for c in source.categories:
        add_category(round_=round_, name=c.name, description=c.description, actor=actor)
    for s in source.stages:
        stage = add_stage(
            round_=round_,
            name=s.name,
            opens_at=s.opens_at + shift,
            closes_at=s.closes_at + shift,
            scale_min=s.scale_min,
            scale_max=s.scale_max,
            winners_per_category=s.winners_per_category,
            kind=s.kind,
            actor=actor,
        )
        stage.is_skipped, stage.method = s.is_skipped, s.method
    db.session.flush()
    return round_


def stage_of_kind(round_: Round, kind: StageKind) -> Stage | None:
    """The round's first stage of ``kind`` that is not skipped."""
    return next((s for s in round_.stages if s.kind == kind and not s.is_skipped), None)


@records_actor
def set_caps(*, round_: Round, caps: dict[str, int | None], actor: User) -> Round:
    """Set the most entries per organisation for each group (None: no cap)."""
    for group, cap in caps.items():
        if cap is not None and cap < 0:
            raise InvalidState(_l("A cap cannot be negative."))
        setattr(round_, f"cap_{EntryGroup(group).value}", cap)
    db.session.flush()
    return round_


def _has_submissions(round_: Round) -> bool:
    return any(e.is_submitted for e in round_.entries)


@records_actor
def set_sections(
    *, round_: Round, limits: dict[str, int], labels: dict[str, str], off: set[str], actor: User
) -> Round:
    """The committee's proposal sections for this round: each section's word limit, its
    label (empty: the default, translated, label) and whether it is switched off. A
    switched-off section leaves the form, the completeness check and the judges' view; text
    already typed in it is kept. Once an entry is submitted, every entry must be held to the
    same rules: limits can no longer change and no section can be switched back on
    (renaming and switching off stay possible)."""
    known = {s.name for s, _on in round_.configured_sections()}
    if any(not 20 <= int(n) <= 5000 for n in limits.values()):
        raise InvalidState(_l("A word limit must be between 20 and 5000."))
    settings = copy.deepcopy(round_.section_settings or {})
    new_limits = {k: int(v) for k, v in limits.items() if k in known}
    new_off = sorted(set(off) & known)
    if _has_submissions(round_):
        current = round_.section_limits
        if any(current.get(k) != v for k, v in new_limits.items()):
            raise InvalidState(_l("Word limits can only change before the first submission."))
        if set(settings.get("off") or []) - set(new_off):
            raise InvalidState(
                _l("A section can only be switched back on before the first submission.")
            )
    round_.word_limits = {**(round_.word_limits or {}), **new_limits}
    settings["labels"] = {k: v.strip() for k, v in labels.items() if k in known and v.strip()}
    settings["off"] = new_off
    round_.section_settings = settings
    db.session.flush()
    return round_


@records_actor
def add_custom_section(
    *, round_: Round, label: str, words: int, groups: list[str], help: str = "", actor: User
) -> str:
    """Add the committee's own section to this round's proposal, for the given groups, with
    its word limit; returns its name. Only before the first submission."""
    if _has_submissions(round_):
        raise InvalidState(_l("Sections can only be added before the first submission."))
    label = (label or "").strip()
    if not label:
        raise InvalidState(_l("Give the section a name."), field="label")
    if not 20 <= int(words) <= 5000:
        raise InvalidState(_l("A word limit must be between 20 and 5000."), field="words")
    groups = [EntryGroup(g).value for g in EntryGroup if g.value in set(groups)]
    if not groups:
        raise InvalidState(
            _l("Choose at least one group whose form has this section."), field="groups"
        )
    settings = copy.deepcopy(round_.section_settings or {})
    custom = settings.setdefault("custom", [])
    number = 1 + max((int(c["name"].rsplit("_", 1)[1]) for c in custom), default=0)
    name = f"custom_{number}"
    custom.append(
        {
            "name": name,
            "label": label,
            "words": int(words),
            "groups": groups,
            "help": (help or "").strip(),
        }
    )
    round_.section_settings = settings
    db.session.flush()
    return name


@records_actor
def set_invitations(*, round_: Round, organisation_ids: list[int], actor: User) -> Round:
    """The organisations invited to the special group (khusus) of this round."""
    round_.khusus_invited = sorted({int(i) for i in organisation_ids})
    db.session.flush()
    return round_


@records_actor
def set_eligibility(
    *, round_: Round, kinds: list[str], organisation_ids: list[int], actor: User
) -> Round:
    """Who may enter the round: organisation kinds (``eligibility.OrganisationKind`` values)
    and/or organisations (an agency's units with it); both empty opens it to everyone.
    Entries already made stay; a draft of an organisation no longer eligible cannot be
    submitted."""
    if not actor.is_committee:
        raise NotAllowed()
    valid = {k.value for k in OrganisationKind}
    unknown = [k for k in kinds if k not in valid]
    if unknown:
        raise InvalidState(_l("Unknown kind of organisation: %(kind)s.", kind=unknown[0]))
    round_.eligible_kinds = [k.value for k in OrganisationKind if k.value in set(kinds)]
    round_.eligible_organisations = sorted({int(i) for i in organisation_ids})
    db.session.flush()
    return round_


def list_participants() -> list[Organisation]:
    """Organisations at the top level (agencies and independent OPDs), for invitations."""
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.name)
        )
    )


@records_actor
def open_round(*, round_: Round, actor: User) -> Round:
    """Open submissions. A round needs at least one category so entries have a home."""
    if not round_.categories:
        raise InvalidState(_l("Add at least one category before opening submissions."))
    round_.status = RoundStatus.OPEN
    db.session.flush()
    return round_


def list_rounds() -> list[Round]:
    return list(
        db.session.scalars(select(Round).order_by(Round.created_at.desc(), Round.id.desc()))
    )


def list_open_rounds(now: datetime) -> list[Round]:
    rounds = db.session.scalars(
        select(Round).where(Round.status == RoundStatus.OPEN).order_by(Round.id)
    )
    return [r for r in rounds if r.accepts_submissions(now)]
