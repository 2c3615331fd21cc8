"""Rankings from posterior score draws: places, place intervals, P(top N) and ties of any
draws (:func:`summarize_draws`), and the draws of a combined score from the draws of several
stages (:func:`combine_draws`).

Pure numpy; no Flask, no database. Imported through ``judging.ranking``.
"""

from __future__ import annotations

import numpy as np

from judging.ranking_places import _group_index, _ranks_2d, rank_entries
from judging.ranking_stages import combine_stages, standardize_stages


def summarize_draws(
    score_draws,
    point=None,
    group=None,
    *,
    level: float = 0.9,
    top_n: int = 10,
    separated: float = 0.95,
):
    """Places, place intervals, P(top N), P(first) and ties from posterior score draws
    ``score_draws`` (n_draws, n_entries; NaN columns = unranked), ranked within ``group``.

    ``point`` (default: the mean of the draws) orders the entries for ``rank`` and for the
    neighbour comparisons. Returns a dict with ``rank``, ``rank_lo``, ``rank_hi``,
    ``rank_median``, ``p_top``, ``p_first``, ``p_above_next``, ``next_entry`` (the entry placed
    just below, -1 if none), ``tied_with_next`` (P(above next) < ``separated``), ``tied`` and
    ``rank_draws``. Used by :func:`rank_uncertainty` and
    for combined stages (:func:`combine_draws`)."""
    draws = np.asarray(score_draws)
    if draws.ndim != 2:
        raise ValueError("score_draws must be (n_draws, n_entries)")
    if not 0 < level < 1 or top_n < 1:
        raise ValueError("need 0 < level < 1 and top_n >= 1")
    D, n = draws.shape
    valid = ~np.isnan(draws).all(axis=0) if D else np.zeros(n, dtype=bool)
    if point is None:
        with np.errstate(invalid="ignore"):
            point = np.where(valid, np.nanmean(draws, axis=0, dtype=float) if D else np.nan, np.nan)
    point = np.where(valid, np.asarray(point, dtype=float), np.nan)
    g, n_groups = _group_index(group, n)
    ranked = rank_entries(point, group=g)
    # places per draw, in chunks of draws (bounded memory: the sort keys are float64)
    rd = np.zeros((D, n), dtype=np.int32)
    chunk = max(1, int(2_000_000 // max(n, 1)))
    for d0 in range(0, D, chunk):
        rd[d0 : d0 + chunk] = _ranks_2d(draws[d0 : d0 + chunk].astype(float), g, n_groups)
    alpha = (1.0 - level) / 2.0
    if D:
        qs = np.quantile(rd, [alpha, 0.5, 1.0 - alpha], axis=0, method="inverted_cdf")
        lo, med, hi = (np.where(valid, q, 0).astype(np.intp) for q in qs)
        p_top = np.where(valid, ((rd >= 1) & (rd <= top_n)).mean(axis=0), np.nan)
        p_first = np.where(valid, (rd == 1).mean(axis=0), np.nan)
    else:
        lo = med = hi = np.zeros(n, dtype=np.intp)
        p_top = p_first = np.full(n, np.nan)
    order = ranked.order
    o_this, o_next = order[:-1], order[1:]
    pair = valid[o_this] & valid[o_next] & (g[o_this] == g[o_next])
    p_next = np.full(n, np.nan)
    if D and pair.any():
        a, b = o_this[pair], o_next[pair]
        p_next[a] = (draws[:, a] > draws[:, b]).mean(axis=0) + 0.5 * (
            draws[:, a] == draws[:, b]
        ).mean(axis=0)
    with np.errstate(invalid="ignore"):
        tied_next = np.isfinite(p_next) & (p_next < separated)
    tied_prev = np.zeros(n, dtype=bool)
    nxt = np.full(n, -1, dtype=np.intp)
    nxt[o_this[pair]] = o_next[pair]
    has_next = nxt >= 0
    tied_prev[nxt[has_next & tied_next]] = True
    return {
        "rank": ranked.rank,
        "rank_lo": lo,
        "rank_hi": hi,
        "rank_median": med,
        "p_top": p_top,
        "p_first": p_first,
        "p_above_next": p_next,
        "tied_with_next": tied_next,
        "tied": tied_next | tied_prev,
        "next_entry": nxt,
        "rank_draws": rd,
    }


def combine_draws(
    stage_draws, weights, *, scores=None, standardize: bool = False, missing: str = "nan"
):
    """Posterior draws of the combined score: ``stage_draws`` is a list of (n_draws, n_entries)
    arrays (e.g. ``rank_uncertainty(...).score_draws`` of every stage, equal ``n_draws``; NaN
    columns where an entry has no score in that stage). Each draw is combined with
    :func:`combine_stages` (``missing`` rule; with ``standardize`` the linear map fitted on
    ``scores``, the stages' point scores (n_entries, n_stages), default the draws' means, is
    applied to every draw). Feed the result to :func:`summarize_draws` for places, intervals
    and ties of the combined ranking."""
    draws = [np.asarray(d, dtype=float) for d in stage_draws]
    if not draws or any(d.shape != draws[0].shape or d.ndim != 2 for d in draws):
        raise ValueError("stage_draws must be (n_draws, n_entries) arrays of one shape")
    stack = np.stack(draws, axis=-1)  # (D, n, k)
    if standardize:
        if scores is None:
            with np.errstate(invalid="ignore"):
                scores = np.nanmean(stack, axis=0) if stack.shape[0] else stack[0]
        _, (a, b) = standardize_stages(scores, weights)
        stack = a + b * stack
    D, n, k = stack.shape
    flat = combine_stages(stack.reshape(D * n, k), weights, missing=missing)
    return flat.reshape(D, n)
