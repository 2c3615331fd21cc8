"""Statistical ties among places (:func:`near_ties`): which neighbouring places cannot be told
apart, from standard errors or score intervals, and each entry's range of places within its
own uncertainty band.

Pure numpy; no Flask, no database. Imported through ``judging.ranking``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judging.ranking_places import _group_index, rank_entries


@dataclass(frozen=True)
class NearTies:
    """Statistical ties among places.

    tied_with_next: (n,) True where the entry cannot be told apart from the entry ranked just
        below it in its category.
    flag: (n,) True where the entry is tied with its neighbour above or below: its place is a
        statistical tie.
    place_lo, place_hi: (n,) best and worst place among the entries of its category whose
        scores lie within this entry's uncertainty band (itself included), so the committee can
        read "placed 4th, but could as well be anywhere from 2nd to 7th" (0 if unranked).
    """

    tied_with_next: np.ndarray
    flag: np.ndarray
    place_lo: np.ndarray
    place_hi: np.ndarray


def near_ties(
    score, se=None, *, lower=None, upper=None, group=None, z: float = 1.96, decimals: int = 6
) -> NearTies:
    """Flag places that are statistical ties.

    Entries are ranked by ``score`` within their category (``group``). Two neighbouring places
    a (above) and b are tied when

    - with standard errors ``se``: the gap is below ``z`` standard errors of the difference,
      ``score_a - score_b < z * sqrt(se_a^2 + se_b^2)`` (z = 1.96: about 95 % for the pair);
      a NaN SE counts as unknown, i.e. infinite;
    - with score intervals ``lower``/``upper`` (e.g. from a bootstrap): the intervals overlap,
      ``lower_a <= upper_b``.

    Exactly equal scores are always tied. Ties are not chained into blocks (in a long list of
    close scores every neighbour is tied with the next, and a chain would merge the whole
    list); instead each entry gets the range of places ``place_lo..place_hi`` of the entries
    whose scores fall in its own band: ``|score_b - score_a| < z * sqrt(2) * se_a`` (the pair
    test with equal SEs), or ``lower_a <= score_b <= upper_a``. Entries with a NaN score are
    not ranked and not flagged.
    """
    score = np.asarray(score, dtype=float)
    n = score.size
    use_se = se is not None
    if use_se == (lower is not None or upper is not None):
        raise ValueError("give either se, or lower and upper")
    if use_se:
        se = np.asarray(se, dtype=float)
        if se.shape != (n,):
            raise ValueError("se must have one value per entry")
        se = np.where(np.isnan(se), np.inf, se)
    else:
        if lower is None or upper is None:
            raise ValueError("give both lower and upper")
        lower = np.asarray(lower, dtype=float)
        upper = np.asarray(upper, dtype=float)
        if lower.shape != (n,) or upper.shape != (n,):
            raise ValueError("lower and upper must have one value per entry")
    ranked = rank_entries(score, decimals=decimals, group=group)
    order = ranked.order
    g, _ = _group_index(group, n)
    valid = ~np.isnan(score)
    rounded = np.round(score, decimals)
    o_this, o_next = order[:-1], order[1:]
    pair_ok = valid[o_this] & valid[o_next] & (g[o_this] == g[o_next])
    with np.errstate(invalid="ignore"):
        gap = rounded[o_this] - rounded[o_next]
        if use_se:
            tied = (gap <= 0) | (gap < z * np.sqrt(se[o_this] ** 2 + se[o_next] ** 2))
        else:
            tied = (gap <= 0) | ~(lower[o_this] > upper[o_next])
    tied &= pair_ok
    tied_with_next = np.zeros(n, dtype=bool)
    tied_with_next[o_this] = tied
    tied_with_prev = np.zeros(n, dtype=bool)
    tied_with_prev[o_next] = tied
    flag = tied_with_next | tied_with_prev

    # place ranges: one ascending key per entry, category * span + (max - score); the band of
    # entry a is an interval of keys, found with searchsorted
    place_lo = np.zeros(n, dtype=np.intp)
    place_hi = np.zeros(n, dtype=np.intp)
    if valid.any():
        smax, smin = float(np.max(rounded[valid])), float(np.min(rounded[valid]))
        span = (smax - smin) + 2.0
        key = np.where(valid, smax - rounded, span - 1.0) + g * span
        ks = key[order]
        if use_se:
            half = z * np.sqrt(2.0) * se
            k_lo_band, k_hi_band = key - half, key + half  # open band
            left = np.searchsorted(ks, k_lo_band, side="right")
            right = np.searchsorted(ks, k_hi_band, side="left") - 1
        else:
            # scores in [lower_a, upper_a]  <=>  keys in [smax - upper_a, smax - lower_a]
            base = g * span
            left = np.searchsorted(ks, base + smax - upper, side="left")
            right = np.searchsorted(ks, base + smax - lower, side="right") - 1
        # clamp to the entry's category and its ranked (non-NaN) entries
        pos = np.empty(n, dtype=np.intp)
        pos[order] = np.arange(n)
        gs = g[order]
        new_group = np.ones(n, dtype=bool)
        new_group[1:] = gs[1:] != gs[:-1]
        first = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
        n_valid_g = np.bincount(g[valid], minlength=int(g.max()) + 1)
        g_first = first[pos]
        g_last_valid = g_first + n_valid_g[g] - 1
        left = np.clip(np.minimum(left, pos), g_first, g_last_valid)
        right = np.clip(np.maximum(right, pos), g_first, g_last_valid)
        rank_sorted = ranked.rank[order]
        place_lo = np.where(valid, rank_sorted[left], 0)
        place_hi = np.where(valid, right - g_first + 1, 0)
    return NearTies(tied_with_next, flag, place_lo.astype(np.intp), place_hi.astype(np.intp))
