"""Places from scores: competition and dense ranks within categories, with a deterministic,
documented tie-break (:func:`rank_entries`), the same ranks for many rows of scores at once
(``_ranks_2d``, used by the bootstrap and the posterior summaries) and the stretch of a range
of likely places to hold the place shown (:func:`range_with_place`).

Pure numpy; no Flask, no database. Imported through ``judging.ranking``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TIE_BREAK_RULE = (
    "Ties are broken by the higher score on the heaviest criterion, then by more judges, "
    "then by earlier submission."
)


@dataclass(frozen=True)
class Ranked:
    """order: entry indices best first (grouped by category, categories in increasing index
    order when ``group`` is given); rank: (n,) competition rank within the entry's category
    (1, 2, 2, 4) where entries still equal after every tie-break key share a place; dense_rank:
    (n,) dense rank (1, 2, 2, 3). Entries with a NaN score come last (in their category) and
    get rank 0 (unranked)."""

    order: np.ndarray
    rank: np.ndarray
    dense_rank: np.ndarray


def _group_index(group, n):
    """Categories as 0..G-1 (sorted by their label) plus G; all zero when ``group`` is None."""
    if group is None:
        return np.zeros(n, dtype=np.intp), 1
    group = np.asarray(group)
    if group.shape != (n,):
        raise ValueError("group must be a 1-d array with one category per entry")
    uniq, inv = np.unique(group, return_inverse=True)
    return inv.astype(np.intp), int(uniq.size)


def rank_entries(score, tiebreak=(), decimals: int = 6, group=None) -> Ranked:
    """Rank entries by ``score`` (higher is better), then by each array in ``tiebreak`` in turn
    (higher is better; negate a key to prefer lower values; a NaN key counts as the worst
    value). Scores and keys are compared after rounding to ``decimals`` so floating-point noise
    never decides a place. Entries still equal on every key share a place: competition rank
    (1, 2, 2, 4) and dense rank (1, 2, 2, 3). The app passes the keys that implement
    ``TIE_BREAK_RULE`` (heaviest criterion, number of judges, negated submission time).

    ``group`` (optional, one category label per entry) ranks each category separately: ranks
    restart at 1 in every category and ``order`` lists the categories one after the other.
    Entries with a NaN score are unranked (rank 0) and listed last within their category.
    """
    score = np.round(np.asarray(score, dtype=float), decimals)
    if score.ndim != 1:
        raise ValueError("score must be a 1-d array")
    n = score.size
    keys = []
    for k in tiebreak:
        k = np.round(np.asarray(k, dtype=float), decimals)
        if k.shape != (n,):
            raise ValueError("every tie-break key must have one value per entry")
        keys.append(np.where(np.isnan(k), -np.inf, k))
    g, _ = _group_index(group, n)
    valid = ~np.isnan(score)
    filled = np.where(valid, score, -np.inf)
    # np.lexsort sorts by the last key first, stably (equal entries keep index order);
    # negate for descending order.
    sort_keys = tuple(-k for k in reversed(keys)) + (-filled, ~valid, g)
    order = np.lexsort(sort_keys).astype(np.intp) if n else np.zeros(0, dtype=np.intp)
    stacked = np.column_stack([g, ~valid, filled] + keys) if n else np.zeros((0, 3))
    rows = stacked[order]
    new_place = np.ones(n, dtype=bool)
    new_group = np.ones(n, dtype=bool)
    if n > 1:
        new_place[1:] = np.any(rows[1:] != rows[:-1], axis=1)
        new_group[1:] = g[order][1:] != g[order][:-1]
    positions = np.arange(1, n + 1)
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0))
    comp = np.maximum.accumulate(np.where(new_place, positions, 0)) - group_start + 1
    dense_all = np.cumsum(new_place)
    dense = dense_all - np.maximum.accumulate(np.where(new_group, dense_all, 0)) + 1
    rank = np.zeros(n, dtype=np.intp)
    dense_rank = np.zeros(n, dtype=np.intp)
    rank[order] = comp
    dense_rank[order] = dense
    rank[~valid] = 0
    dense_rank[~valid] = 0
    return Ranked(order, rank, dense_rank)


def _ranks_2d(scores, g, n_groups):
    """Competition rank within the category for every row of ``scores`` (B, n); NaN scores
    get rank 0. One float sort key per row: ``category * span + (max - score)``, so rows sort
    by category, then best score first, NaN last in the category."""
    B, n = scores.shape
    valid = ~np.isnan(scores)
    if not valid.any():
        return np.zeros((B, n), dtype=np.int64)
    smax = float(np.nanmax(scores))
    smin = float(np.nanmin(scores))
    span = (smax - smin) + 2.0
    key = np.where(valid, smax - scores, span - 1.0)
    if n_groups > 1:
        key = key + g * span
    order = np.argsort(key, axis=1)
    ks = np.take_along_axis(key, order, axis=1)
    gs = g[order] if n_groups > 1 else None
    pos = np.broadcast_to(np.arange(1, n + 1), (B, n))
    new_place = np.ones((B, n), dtype=bool)
    new_place[:, 1:] = ks[:, 1:] != ks[:, :-1]
    comp = np.maximum.accumulate(np.where(new_place, pos, 0), axis=1)
    if gs is not None:
        new_group = np.ones((B, n), dtype=bool)
        new_group[:, 1:] = gs[:, 1:] != gs[:, :-1]
        comp = comp - np.maximum.accumulate(np.where(new_group, pos, 0), axis=1) + 1
    ranks = np.empty((B, n), dtype=np.int64)
    np.put_along_axis(ranks, order, comp, axis=1)
    ranks[~valid] = 0
    return ranks


def range_with_place(place, rank_lo, rank_hi):
    """The range of likely places widened, where needed, to hold the place shown.

    The pages show the place of the stage's method (the published, recomputable ranking) and
    the range and chances of the judge model (``rank_uncertainty``); the two rank the same
    draws of evidence slightly differently, so now and then a place falls just outside the
    model's 90 % range. The range shown is then stretched to reach it: ``lo = min(lo, place)``,
    ``hi = max(hi, place)`` (elementwise; entries with ``place`` 0, unranked, or without a
    range, ``rank_lo`` 0, are left as they are). Returns ``(lo, hi, widened)``, ``widened``
    True where the range was stretched."""
    place = np.asarray(place, dtype=np.intp)
    lo = np.asarray(rank_lo, dtype=np.intp)
    hi = np.asarray(rank_hi, dtype=np.intp)
    ok = (place > 0) & (lo > 0)
    new_lo = np.where(ok, np.minimum(lo, place), lo)
    new_hi = np.where(ok, np.maximum(hi, place), hi)
    return new_lo, new_hi, (new_lo != lo) | (new_hi != hi)
