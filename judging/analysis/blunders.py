"""Scores that look like typing mistakes: the sheets the judge model reads as blunders (a
score unrelated to the entry, such as 9 typed for 90: ``judging.uncertainty``), listed on the
stage's ranking page with what the judge would be expected to give, and the committee's way to
ask the judge to check one (the sheet is reopened with a message, ``reopen_sheet``).

The model already gives such a sheet almost no weight, so the ranking is not thrown off by it;
but only the judge knows what they meant, so the committee asks rather than trusting the
model's guess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.errors import InvalidState
from competition.rounds.models import Stage
from judging.analysis.uncertainty import StageUncertainty
from judging.panels.models import Assignment
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreSheet, SheetStatus

# A sheet is listed when it is more likely a mistake than not (P >= 0.5): the model then
# already counts it less than half, so the committee should know. Below, a sheet is merely
# unusual (an honest low score is often that), and listing it would send the committee to
# question judges over real disagreements.
THRESHOLD = 0.5
VERY_LIKELY, LIKELY = 0.9, 0.7  # the words for the probability (``chance_words``)
MAX_LISTED = 100  # sheets listed on the page (most likely first); more are counted


@dataclass(frozen=True)
class FlaggedSheet:
    """One sheet that looks like a typing mistake: its entry and judge, its total, what the
    judge would be expected to give the entry (``expected``) and the probability ``p``."""

    sheet_id: int
    entry: object
    judge: object
    total: float
    expected: float
    p: float

    @property
    def words(self) -> str:
        return chance_words(self.p)


@dataclass(frozen=True)
class Flagged:
    """The stage's flagged sheets (at most ``MAX_LISTED``, most likely first) and how many
    there are in all."""

    sheets: list
    n: int


def chance_words(p: float) -> str:
    """The probability that a sheet is a mistake, in plain words."""
    if p >= VERY_LIKELY:
        return _("very likely a mistake")
    if p >= LIKELY:
        return _("likely a mistake")
    return _("more likely a mistake than not")


def sheet_probabilities(unc: StageUncertainty):
    """(P(mistake), expected total) per sheet of the stage's arrays, or None without a fit that
    says it (still computing, no sheets, or a fit made before the model read mistakes)."""
    res = unc.summary
    if res is None or res.sheet_blunder is None or res.group_level is None:
        return None
    data = unc.data
    if res.sheet_blunder.size != data.total.size:
        return None
    return res.sheet_blunder.astype(float), res.expected_total(data.e_idx, data.j_idx)


def flagged_sheets(unc: StageUncertainty) -> Flagged:
    """The stage's sheets read as likely mistakes (``THRESHOLD``); reads the sheets' ids, the
    entries and the judges only when there are some (three queries)."""
    found = sheet_probabilities(unc)
    if found is None:
        return Flagged([], 0)
    p, expected = found
    idx = np.flatnonzero(p >= THRESHOLD)
    if not idx.size:
        return Flagged([], 0)
    idx = idx[np.argsort(-p[idx], kind="stable")][:MAX_LISTED]
    data = unc.data
    e_idx, j_idx = data.e_idx[idx], data.j_idx[idx]
    pairs = list(zip(data.entry_ids[e_idx].tolist(), data.judge_ids[j_idx].tolist(), strict=True))
    sheet_ids = dict(
        ((e, j), s)
        for s, e, j in db.session.execute(
            select(ScoreSheet.id, Assignment.entry_id, Assignment.judge_id)
            .join(Assignment, ScoreSheet.assignment_id == Assignment.id)
            .where(
                Assignment.stage_id == data.stage.id,
                ScoreSheet.status == SheetStatus.SUBMITTED,
                tuple_(Assignment.entry_id, Assignment.judge_id).in_(pairs),
            )
        )
    )
    entries = data.entries_at(e_idx.tolist())
    judges = data.judges
    sheets = [
        FlaggedSheet(
            sheet_ids[pair],
            entry,
            judges[int(j)],
            float(data.total[k]),
            float(expected[k]),
            float(p[k]),
        )
        for k, j, pair, entry in zip(idx.tolist(), j_idx.tolist(), pairs, entries, strict=True)
        if pair in sheet_ids  # reopened since the fit: no longer a submitted sheet
    ]
    return Flagged(sheets, int((p >= THRESHOLD).sum()))


def flag_of(unc: StageUncertainty, sheet: ScoreSheet) -> FlaggedSheet | None:
    """``sheet`` as a flagged sheet when the fit reads it as a likely mistake, else None."""
    found = sheet_probabilities(unc)
    if found is None:
        return None
    data = unc.data
    a = sheet.assignment
    e = unc.at(a.entry_id)
    j = np.flatnonzero(data.judge_ids == a.judge_id)
    if e is None or not j.size:
        return None
    k = np.flatnonzero((data.e_idx == e) & (data.j_idx == j[0]))
    if not k.size or found[0][k[0]] < THRESHOLD:
        return None
    k = int(k[0])
    return FlaggedSheet(
        sheet.id,
        a.entry,
        a.judge,
        float(data.total[k]),
        float(found[1][k]),
        float(found[0][k]),
    )


def looks_like_a_tenth(total: float, expected: float) -> bool:
    """Ten times the total is within a quarter of what the judge would be expected to give:
    the sheet reads as typed on a 1-10 scale (or with a digit dropped), not a random slip."""
    return expected > 0 and abs(10.0 * total - expected) <= 0.25 * expected


def stage_closed(stage: Stage, now: datetime) -> bool:
    """Scoring is over (or not open): a reopened sheet could not be corrected by its judge."""
    return not stage.is_open(now)


def default_reason(sheet: ScoreSheet, criteria, flag: FlaggedSheet | None) -> str:
    """The message the committee sends with the reopened sheet (editable): the total in
    question, what was expected, and the criterion scores to check."""
    values = {s.criterion_id: s.value for s in sheet.scores}
    listed = "; ".join(
        f"{c.name}: {format_decimal(values[c.id], '0.##')}"
        for c in criteria
        if values.get(c.id) is not None
    )
    total = format_decimal(sheet.total if sheet.total is not None else float("nan"), "0.00")
    if flag is not None and looks_like_a_tenth(flag.total, flag.expected):
        head = _(
            "Your total for this entry is %(total)s, about a tenth of what your other scores "
            "suggest (about %(expected)s). Were the scores typed on a 1-10 scale?",
            total=total,
            expected=format_decimal(flag.expected, "0"),
        )
    elif flag is not None:
        head = _(
            "Your total for this entry is %(total)s, far from what your other scores "
            "suggest (about %(expected)s). Is it a typing mistake (for example 9 for 90)?",
            total=total,
            expected=format_decimal(flag.expected, "0"),
        )
    else:
        head = _("Please check your total for this entry (%(total)s).", total=total)
    tail = _(
        "Please check the scores per criterion: %(scores)s. Correct them if needed and "
        "submit the sheet again.",
        scores=listed or "–",
    )
    return f"{head} {tail}"


@records_actor
def ask_judge_to_check(
    *, stage: Stage, sheet: ScoreSheet, reason: str, actor: User, now: datetime
) -> ScoreSheet:
    """Reopen ``sheet`` so its judge checks a score that looks like a typing mistake, with
    ``reason`` as the message on the sheet (``reopen_sheet``). Refused when the stage's
    scoring is closed: the judge could not correct it."""
    if sheet.assignment.stage_id != stage.id:
        raise InvalidState(_l("This score sheet is not of this stage."))
    if stage_closed(stage, now):
        raise InvalidState(
            _l("Scoring for this stage is closed: the judge can no longer correct the score.")
        )
    return sheet_service.reopen_sheet(sheet=sheet, reason=reason, actor=actor, now=now)
