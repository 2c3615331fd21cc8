"""The arithmetic of the combined final ranking, without the database.

Each scored stage's entry scores are put on 0-100 (:func:`on_100`), the stages are aligned by
entry into one table and combined with the committee's weights, and the entries that went
through every weighted stage are ranked per category (:func:`combine`). The stages' posterior
draws of the judge model are combined the same way, draw by draw, into ranges of likely places,
chances of a winning place and decided cuts (:func:`summarize_stage_draws`).

Shapes: ``n`` entries scored in at least one stage, sorted by id; ``k`` scored stages in
timeline order; NaN marks an entry without a score in a stage. The database side (which stages,
their scores and draws, the entries' titles) is ``judging.analysis.combined``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from judging.ranking import (
    combine_draws,
    combine_stages,
    range_with_place,
    rank_entries,
    summarize_draws,
)
from judging.uncertainty import Decisions, boundary_decisions


def on_100(score, scale_min: float, scale_max: float):
    """Scores on a stage's rubric scale put on 0-100: ``100 (score - min) / (max - min)`` (a
    rubric without a span counts as a span of 1), so a 1-10 desk rubric and a 0-100
    presentation rubric weigh what their weights say."""
    span = float(scale_max - scale_min) or 1.0
    return 100.0 * (score - scale_min) / span


def from_100(value, scale_min: float, scale_max: float):
    """The inverse of :func:`on_100`: a 0-100 value back on the stage's rubric scale."""
    span = float(scale_max - scale_min) or 1.0
    return scale_min + value * span / 100.0


@dataclass(frozen=True)
class StageColumn:
    """One stage's entries with a score: ``entry_ids``, ``category_ids``, ``score`` (the
    stage method's entry score) and ``raw`` (the mean of the raw totals), both on 0-100, and
    ``n_sheets``, all (m,); ``digest``, the digest of the stage's sheets."""

    entry_ids: np.ndarray
    category_ids: np.ndarray
    score: np.ndarray
    raw: np.ndarray
    n_sheets: np.ndarray
    digest: str


@dataclass(frozen=True)
class Combination:
    """The stages combined (see :func:`combine`): ``entry_ids``, ``category_ids``,
    ``n_sheets`` (sheets over all stages), ``combined``, ``raw_combined``, ``rank`` (1-based
    within the category, 0 and ``combined`` NaN outside the final ranking) and ``order`` (the
    rows best first, per ``rank_entries``), all (n,); ``scores`` and ``raw`` (n, k) on 0-100;
    ``digest`` identifies the input."""

    entry_ids: np.ndarray
    category_ids: np.ndarray
    scores: np.ndarray
    raw: np.ndarray
    combined: np.ndarray
    raw_combined: np.ndarray
    rank: np.ndarray
    order: np.ndarray
    n_sheets: np.ndarray
    digest: str


def input_digest(stage_ids: list[int], digests: list[str]) -> str:
    """SHA-256 of one line per stage, ``stage_id<TAB>digest of that stage's sheets``, in stage
    order: the combined ranking's input, as a publication records it."""
    text = "".join(f"{sid}\t{digest}\n" for sid, digest in zip(stage_ids, digests))
    return hashlib.sha256(text.encode()).hexdigest()


def tiebreak_order(weights) -> list[int]:
    """Stage positions by which ties are broken: the heaviest stage first; among stages of
    equal weight the later one first."""
    return sorted(range(len(weights)), key=lambda j: (-weights[j], -j))


def combine(stage_ids: list[int], columns: list[StageColumn], weights) -> Combination:
    """Align the stages' ``columns`` (one per stage of ``stage_ids``) by entry and combine
    them with ``weights`` (percent, one per stage). Only entries with a score in every stage
    weighted above 0 are ranked (``combine_stages(missing="nan")``; a stage weighted 0 is
    shown but neither counts nor is required); an entry keeps the category it has in the
    stages. Places are per category, ties broken by :func:`tiebreak_order`."""
    if columns:
        entry_ids = np.unique(np.concatenate([c.entry_ids for c in columns]))
    else:
        entry_ids = np.zeros(0, np.int64)
    n, k = entry_ids.size, len(columns)
    scores = np.full((n, k), np.nan)
    raw = np.full((n, k), np.nan)
    category_ids = np.zeros(n, np.int64)
    n_sheets = np.zeros(n, np.int64)
    for j, col in enumerate(columns):
        pos = np.searchsorted(entry_ids, col.entry_ids)
        scores[pos, j], raw[pos, j] = col.score, col.raw
        category_ids[pos] = col.category_ids  # an entry keeps its category through the stages
        n_sheets[pos] += col.n_sheets
    w = np.asarray(weights, dtype=float)
    counted = w > 0
    combined = combine_stages(scores[:, counted], w[counted], missing="nan") if n else np.zeros(0)
    raw_combined = combine_stages(raw[:, counted], w[counted], missing="nan") if n else np.zeros(0)
    ranked = rank_entries(
        combined, tiebreak=[scores[:, j] for j in tiebreak_order(w)], group=category_ids
    )
    return Combination(
        entry_ids,
        category_ids,
        scores,
        raw,
        combined,
        raw_combined,
        ranked.rank,
        ranked.order,
        n_sheets,
        input_digest(stage_ids, [c.digest for c in columns]),
    )


def stage_draws(entry_ids: np.ndarray, ids: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """A stage's score draws ``draws`` (n_draws, m) over its entries ``ids`` (m,) placed in the
    columns of the combination's ``entry_ids`` (n,): (n_draws, n), NaN for entries without a
    score in the stage; entries of the stage outside ``entry_ids`` are left out."""
    n = entry_ids.size
    pos = np.searchsorted(entry_ids, ids)
    inside = pos < n
    inside[inside] = entry_ids[pos[inside]] == ids[inside]
    out = np.full((draws.shape[0], n), np.nan)
    out[:, pos[inside]] = draws[:, inside]
    return out


@dataclass(frozen=True)
class DrawSummary:
    """The combined ranking's uncertainty, arrays (n,): ``rank_lo``, ``rank_hi`` (the range
    of likely places, stretched to hold the place shown; 0 outside the final ranking),
    ``widened`` (where it was stretched), ``p_top`` (chance of a place <= ``top_n``),
    ``tied_with_next``; ``decisions`` at the cuts."""

    rank_lo: np.ndarray
    rank_hi: np.ndarray
    widened: np.ndarray
    p_top: np.ndarray
    tied_with_next: np.ndarray
    decisions: Decisions


def summarize_stage_draws(
    per_stage: list[np.ndarray],
    weights,
    rank: np.ndarray,
    combined: np.ndarray,
    category_ids: np.ndarray,
    *,
    level: float,
    top_n: int,
    cut_places: list[int],
    decided_lo: float,
    decided_hi: float,
) -> DrawSummary:
    """Combine the weighted stages' draws (each (n_draws_s, n), from :func:`stage_draws`,
    one per stage weighted above 0, with those ``weights``) draw by draw, and rank them per
    category (``rank``, ``combined``, ``category_ids``: the :class:`Combination`'s). The stages are fitted apart, so their draws are paired one to one, each evenly
    thinned to the stage with the fewest. Entries outside the final ranking get no place; a
    cut is decided for an entry whose chance of being inside it is at most ``decided_lo`` or
    at least ``decided_hi``."""
    n_draws = min(d.shape[0] for d in per_stage)
    per_stage = [
        d[np.linspace(0, d.shape[0] - 1, n_draws).round().astype(np.intp)] for d in per_stage
    ]
    draws = combine_draws(per_stage, np.asarray(weights, dtype=float), missing="nan")
    ranked = rank > 0
    draws[:, ~ranked] = np.nan
    point = np.where(ranked, combined, np.nan)
    summary = summarize_draws(draws, point, category_ids, level=level, top_n=top_n)
    lo, hi, widened = range_with_place(rank, summary["rank_lo"], summary["rank_hi"])
    decisions = boundary_decisions(
        SimpleNamespace(rank_draws=summary["rank_draws"], rank=rank, score_draws=draws),
        cut_places,
        lo=decided_lo,
        hi=decided_hi,
    )
    return DrawSummary(lo, hi, widened, summary["p_top"], summary["tied_with_next"], decisions)
