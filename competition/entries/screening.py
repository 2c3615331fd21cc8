"""Administrative screening: the checklist the committee sees for each submitted entry
(innovation age, every section answered, junk answers, similar titles in the round) and the
eligible / ineligible decision with a reason the OPD reads.

The checks only inform: the committee decides. ``check_text`` and ``similar_titles`` are pure
functions over strings.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.entries import messages
from competition.entries.models import Entry, EntryEvent, EntryStatus, Screening
from competition.entries.services import reread_for_update
from competition.errors import IncompleteError, InvalidState, NotAllowed
from competition.forms import to_local
from competition.rounds.models import Round
from competition.rounds.sections import MIN_AGE_YEARS, latest_start
from competition.rounds.services import stage_of_kind

PLACEHOLDERS = {
    "-",
    "--",
    "---",
    ".",
    "..",
    "...",
    "n/a",
    "na",
    "nil",
    "null",
    "none",
    "tidak ada",
    "belum ada",
    "tidak",
    "kosong",
    "isi",
    "diisi",
    "test",
    "tes",
    "testing",
    "coba",
    "xxx",
    "xx",
    "x",
    "asdf",
    "qwerty",
    "abc",
    "0",
    "1",
    "ok",
    "todo",
    "tbd",
}


LOREM = re.compile(r"lorem\s+ipsum|dolor\s+sit\s+amet", re.IGNORECASE)


MIN_WORDS = 8  # fewer words than this in a section is flagged as very short


TITLE_RATIO = 0.8  # difflib ratio of normalized titles at or above which they are "similar"


TITLE_JACCARD = 0.6  # or the share of words the titles have in common


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


JUNK_LABELS = {
    "placeholder": _l("placeholder text"),
    "lorem": _l("lorem ipsum text"),
    "short": _l("very short"),
    "repeated": _l("the same words repeated"),
}


def check_text(text: str) -> str | None:
    """Why a section's answer looks like junk, as a key of ``JUNK_LABELS`` (placeholder,
    lorem ipsum, very short, the same words over and over), or None for a real answer."""
    norm = _norm(text)
    stripped = (text or "").strip().lower()
    if not norm or stripped in PLACEHOLDERS or norm in PLACEHOLDERS:
        return "placeholder"
    if LOREM.search(text):
        return "lorem"
    words = norm.split()
    if len(words) < MIN_WORDS:
        return "short"
    if len(words) >= 20 and len(set(words)) / len(words) < 0.3:
        return "repeated"
    return None


def titles_similar(a: str, b: str) -> bool:
    """Two titles are similar when their normalized text is close (difflib ratio) or they
    share most of their words (Jaccard index), so reordered or lightly edited titles match."""
    return _similar(_norm(a), _norm(b))


def _similar(na: str, nb: str) -> bool:
    """``titles_similar`` of two normalized titles."""
    if not na or not nb:
        return False
    matcher = difflib.SequenceMatcher(None, na, nb)
    # real_quick_ratio() and quick_ratio() are cheap upper bounds of ratio(): most pairs of a
    # round are far apart, and ratio() (the costly part: a round's pairs go in the thousands)
    # is only needed for the pairs those bounds cannot rule out. Same answer, as ratio() alone.
    if (
        matcher.real_quick_ratio() >= TITLE_RATIO
        and matcher.quick_ratio() >= TITLE_RATIO
        and matcher.ratio() >= TITLE_RATIO
    ):
        return True
    ta, tb = set(na.split()), set(nb.split())
    return len(ta & tb) / len(ta | tb) >= TITLE_JACCARD


def similar_titles(titles: dict[int, str]) -> dict[int, list[int]]:
    """For each id, the other ids whose titles are similar (pairwise; rounds have hundreds of
    entries at most)."""
    ids = sorted(titles)
    norm = {i: _norm(titles[i]) for i in ids}  # once per title, not once per pair
    out: dict[int, list[int]] = {i: [] for i in ids}
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            if _similar(norm[a], norm[b]):
                out[a].append(b)
                out[b].append(a)
    return out


@dataclass
class Check:
    """One line of the checklist; ``detail`` holds (lazily translated) notes."""

    label: object
    ok: bool
    detail: list = field(default_factory=list)


@dataclass
class Checklist:
    entry: Entry
    checks: list[Check] = field(default_factory=list)
    similar: list[Entry] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def n_flags(self) -> int:
        return sum(not c.ok for c in self.checks)


def _day(day: date) -> LazyString:
    """``day`` as the page shows dates ("1 Juli 2024"), written when the page is."""
    return LazyString(format_date, day, "d MMMM y")


def _checklist(entry: Entry, similar: list[Entry], copied: dict[str, list[Entry]]) -> Checklist:
    checks = []
    on = to_local(entry.submitted_at or entry.updated_at).date()  # the OPD's calendar: WIB
    latest = latest_start(entry.group, on)
    started = entry.innovation_started_on
    checks.append(
        Check(
            _l("Innovation age (at least %(years)s year(s))", years=MIN_AGE_YEARS[entry.group]),
            started is not None and started <= latest,
            [
                _l(
                    "started %(start)s; latest allowed %(latest)s",
                    start=_day(started) if started else "-",
                    latest=_day(latest),
                )
            ],
        )
    )
    sections = entry.sections
    empty = [s.label for s, text in sections if not text.strip()]
    checks.append(Check(_l("Every section answered"), not empty, empty))
    junk = []
    for s, text in sections:
        if text.strip():
            why = check_text(text)
            if why:
                junk.append(
                    _l("%(section)s: %(problem)s", section=s.label, problem=JUNK_LABELS[why])
                )
            others = [e for e in copied.get(_norm(text), []) if e.id != entry.id]
            if others and len(_norm(text).split()) >= MIN_WORDS:
                junk.append(
                    _l(
                        "%(section)s: same text as %(other)s",
                        section=s.label,
                        other=others[0].title,
                    )
                )
    texts = [_norm(text) for _s, text in sections if text]
    if len(texts) != len(set(texts)):
        junk.append(_l("the same text in several sections"))
    checks.append(Check(_l("No junk answers"), not junk, junk))
    checks.append(
        Check(_l("Decree (SK) attached"), any(a.kind.value == "sk" for a in entry.attachments))
    )
    checks.append(
        Check(_l("No similar title in the round"), not similar, [e.title for e in similar])
    )
    return Checklist(entry=entry, checks=checks, similar=similar)


def list_submitted(round_: Round) -> list[Entry]:
    return list(
        db.session.scalars(
            select(Entry)
            .where(Entry.round_id == round_.id, Entry.status == EntryStatus.SUBMITTED)
            .options(
                selectinload(Entry.organisation),
                selectinload(Entry.category),
                selectinload(Entry.attachments),
            )
            .order_by(Entry.category_id, Entry.id)
        )
    )


def checklists(round_: Round) -> list[Checklist]:
    """The checklist of every submitted entry of the round (similar titles and text copied
    between entries are found across the whole round)."""
    entries = list_submitted(round_)
    by_id = {e.id: e for e in entries}
    similar = similar_titles({e.id: e.title for e in entries})
    copied: dict[str, list[Entry]] = {}
    for e in entries:
        for _s, text in e.sections:
            text = _norm(text)
            if text:
                copied.setdefault(text, []).append(e)
    return [_checklist(e, [by_id[i] for i in similar[e.id]], copied) for e in entries]


def checklist_of(entry: Entry) -> Checklist:
    return next(c for c in checklists(entry.round) if c.entry.id == entry.id)


@records_actor
def decide(*, entry: Entry, eligible: bool, reason: str, actor: User, now: datetime) -> Entry:
    """Record the screening decision with its reason (shown to the OPD). A later decision
    replaces it; every decision stays in the entry's history."""
    if not actor.is_committee:
        raise NotAllowed()
    reread_for_update(entry)  # not stale if the entry changed since it was loaded
    if entry.status != EntryStatus.SUBMITTED:
        raise InvalidState(_l("Only submitted entries are screened."))
    reason = (reason or "").strip()
    if not reason:
        raise IncompleteError(["reason"], _l("Give the reason for the decision; the OPD reads it."))
    entry.screening = Screening.ELIGIBLE if eligible else Screening.INELIGIBLE
    entry.screening_reason = reason
    entry.screened_at = now
    stage = stage_of_kind(entry.round, "screening")
    db.session.add(
        EntryEvent(
            entry=entry,
            stage=stage,
            actor_id=actor.id,
            action=entry.screening.value,
            reason=reason,
            created_at=now,
        )
    )
    db.session.flush()
    messages.entry_screened(entry=entry, now=now)  # the OPD reads the decision
    return entry


@records_actor
def accept_clean(*, round_: Round, reason: str, actor: User, now: datetime) -> int:
    """Declare eligible every pending entry whose checklist has no flag; returns how many.
    Flagged entries are left for a decision one by one."""
    n = 0
    for checklist in checklists(round_):
        if checklist.entry.screening == Screening.PENDING and checklist.passed:
            decide(entry=checklist.entry, eligible=True, reason=reason, actor=actor, now=now)
            n += 1
    return n


def progress(round_: Round) -> dict[str, int]:
    """Counts of submitted entries by screening decision."""
    counts = {s.value: 0 for s in Screening}
    for (value,) in db.session.execute(
        select(Entry.screening).where(
            Entry.round_id == round_.id, Entry.status == EntryStatus.SUBMITTED
        )
    ):
        counts[Screening(value).value] += 1
    return counts
