"""The bootstrap over sheets (:func:`bootstrap_ranks`): each entry's rank interval, its
probability of a top-N place and its score's standard error, from resampling every entry's
own sheets, vectorized over sheets and resamples.

Pure numpy; no Flask, no database. Imported through ``judging.ranking``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judging.ranking_places import _group_index, _ranks_2d


@dataclass(frozen=True)
class BootstrapRanks:
    """Bootstrap uncertainty of the ranking.

    rank: (n_entries,) competition rank within the category from the point estimates (0 =
        unranked, no sheets).
    rank_lo, rank_hi: (n_entries,) the ``level`` percentile interval of the entry's rank over
        the resamples (e.g. 2.5th and 97.5th percentile for level 0.95; 0 if unranked).
    rank_median: (n_entries,) median rank over the resamples.
    p_top: (n_entries,) probability of being in the category's top ``top_n`` (rank <= top_n).
    p_first: (n_entries,) probability of first place in the category (shared first counts).
    score_se: (n_entries,) bootstrap standard deviation of the entry's score (NaN where it
        cannot be estimated: no sheets, or a single sheet and no model SE).
    n_boot, top_n, level: the settings used.
    """

    rank: np.ndarray
    rank_lo: np.ndarray
    rank_hi: np.ndarray
    rank_median: np.ndarray
    p_top: np.ndarray
    p_first: np.ndarray
    score_se: np.ndarray
    n_boot: int
    top_n: int
    level: float


def bootstrap_ranks(
    result,
    entry,
    group=None,
    *,
    n_boot: int = 1000,
    top_n: int = 10,
    level: float = 0.95,
    seed=0,
    chunk_size=None,
) -> BootstrapRanks:
    """Bootstrap over sheets: each entry's rank interval and probability of a top-N place.

    ``result`` is a normalization result (``judging.normalize.Normalized``: its
    ``entry_score``, ``sheet_score``, ``sheet_weight``, ``entry_se`` and ``method`` are used)
    and ``entry`` the sheets' entry indices that produced it. Each resample draws, for every
    entry, as many sheets as it has, with replacement from its own sheets, and recomputes the
    entry's score from the resampled normalized sheet scores (weighted mean, or median for the
    ``median`` method); judges' offsets, scales and weights stay as fitted, so the resampling is
    vectorized over all sheets and resamples at once (no refit). Two small-sample corrections:
    an entry's bootstrap deviation is scaled by ``sqrt(n_eff / (n_eff - 1))`` (the plain
    bootstrap underestimates the variance of a mean of n by ``(n-1)/n``), and an entry with a
    single sheet, which the resampling cannot move, is moved by a normal draw with the method's
    standard error ``entry_se`` (left fixed if that is NaN).

    Ranks are competition ranks within the category (``group``). Resamples are processed in
    chunks of ``chunk_size`` (default: about 4 million sheet draws per chunk) to bound memory;
    the result depends only on ``seed``, not on the chunk size.
    """
    entry = np.asarray(entry, dtype=np.intp)
    x = np.asarray(result.sheet_score, dtype=float)
    point = np.asarray(result.entry_score, dtype=float)
    n = point.size
    if entry.shape != x.shape:
        raise ValueError("entry must have one value per sheet of the result")
    if n_boot < 1 or top_n < 1 or not 0 < level < 1:
        raise ValueError("need n_boot >= 1, top_n >= 1 and 0 < level < 1")
    w = np.asarray(result.sheet_weight, dtype=float)
    if w.shape != x.shape:
        w = np.ones_like(x)
    g, n_groups = _group_index(group, n)
    use_median = getattr(result, "method", "") == "median"
    se_model = np.asarray(getattr(result, "entry_se", np.full(n, np.nan)), dtype=float)
    if se_model.shape != (n,):
        se_model = np.full(n, np.nan)

    # sheets sorted by entry (and by score within an entry, for the median)
    order = np.lexsort((x, entry)) if use_median else np.argsort(entry, kind="stable")
    es = entry[order]
    xs = x[order]
    wsrt = w[order]
    counts = np.bincount(entry, minlength=n)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    has = counts > 0
    seg = starts[has]  # reduceat boundaries of non-empty entries
    N = x.size
    # full-sample statistic (what the resamples are centred on) and the small-sample factor
    # the mean's numerator is a sum of x * w: multiply once, gather the products
    vals = xs if use_median else xs * wsrt
    full = _entry_stat(vals[None, :], wsrt[None, :], es, seg, has, n, use_median)[0]
    wsum = np.bincount(entry, weights=w, minlength=n)
    w2sum = np.bincount(entry, weights=w * w, minlength=n)
    n_eff = np.zeros(n)
    np.divide(wsum * wsum, w2sum, out=n_eff, where=w2sum > 0)
    factor = np.ones(n)
    np.sqrt(n_eff / np.maximum(n_eff - 1.0, 1e-12), out=factor, where=n_eff > 1.0 + 1e-9)
    single = counts == 1
    single_sd = np.where(single & np.isfinite(se_model), se_model, 0.0)

    if chunk_size is None:
        chunk_size = max(1, min(n_boot, int(4_000_000 // max(N, n, 1))))
    rng_pick, rng_noise = np.random.default_rng(seed).spawn(2)
    rank_dtype = np.uint16 if n < np.iinfo(np.uint16).max else np.int32
    ranks = np.zeros((n_boot, n), dtype=rank_dtype)
    top_count = np.zeros(n)
    first_count = np.zeros(n)
    ssum = np.zeros(n)
    ssq = np.zeros(n)
    # single-precision uniforms (five times faster to draw) are ample to pick one of an
    # entry's few sheets: u * count truncates to 0 .. count - 1 (clipped against rounding up)
    cnt_s = counts[es].astype(np.float32)
    first_s, last_s = starts[es], starts[es] + counts[es] - 1
    for b0 in range(0, n_boot, chunk_size):
        B = min(chunk_size, n_boot - b0)
        if N:
            u = rng_pick.random((B, N), dtype=np.float32)
            pick = np.minimum(first_s + (u * cnt_s).astype(np.intp), last_s)
            del u
            if use_median:
                # each entry's draws stay in its own run of columns, so sorting the indices of
                # a row sorts every entry's resampled values
                pick.sort(axis=1)
            stat = _entry_stat(
                vals[pick], None if use_median else wsrt[pick], es, seg, has, n, use_median
            )
        else:
            stat = np.full((B, n), np.nan)
        boot = point + factor * (stat - full)
        if single_sd.any():
            boot = boot + rng_noise.standard_normal((B, n)) * single_sd
        r = _ranks_2d(boot, g, n_groups)
        ranks[b0 : b0 + B] = r
        top_count += ((r >= 1) & (r <= top_n)).sum(axis=0)
        first_count += (r == 1).sum(axis=0)
        dev = np.where(has, boot - point, 0.0)
        ssum += dev.sum(axis=0)
        ssq += (dev * dev).sum(axis=0)

    alpha = (1.0 - level) / 2.0
    k_lo = max(int(np.ceil(n_boot * alpha)) - 1, 0)
    k_hi = min(max(int(np.ceil(n_boot * (1.0 - alpha))) - 1, 0), n_boot - 1)
    k_med = max(int(np.ceil(n_boot * 0.5)) - 1, 0)
    part = np.partition(ranks, sorted({k_lo, k_med, k_hi}), axis=0)
    point_rank = _ranks_2d(point[None, :], g, n_groups)[0]
    mean_dev = ssum / n_boot
    score_se = np.where(has, np.sqrt(np.maximum(ssq / n_boot - mean_dev**2, 0.0)), np.nan)
    # an entry with a single sheet and no model SE does not move in the resamples: its SE is
    # unknown, not 0
    score_se[single & ~np.isfinite(se_model)] = np.nan
    return BootstrapRanks(
        rank=point_rank.astype(np.intp),
        rank_lo=part[k_lo].astype(np.intp),
        rank_hi=part[k_hi].astype(np.intp),
        rank_median=part[k_med].astype(np.intp),
        p_top=top_count / n_boot,
        p_first=first_count / n_boot,
        score_se=score_se,
        n_boot=int(n_boot),
        top_n=int(top_n),
        level=float(level),
    )


def _entry_stat(vals, wts, es, seg, has, n, use_median):
    """Per-entry weighted mean (or median) for every row of (B, N) arrays whose columns are
    sheets sorted by entry (``es``), ``seg`` the start of each non-empty entry's run. For the
    mean, ``vals`` holds the products value * weight and ``wts`` the weights; for the median,
    ``vals`` holds the values (sorted within each entry's run)."""
    B = vals.shape[0]
    out = np.full((B, n), np.nan)
    if seg.size == 0:
        return out
    if use_median:
        # columns are sorted by (entry, value) within every row (see bootstrap_ranks)
        counts = np.diff(np.append(seg, vals.shape[1]))
        lo = seg + (counts - 1) // 2
        hi = seg + counts // 2
        out[:, has] = 0.5 * (vals[:, lo] + vals[:, hi])
        return out
    num = np.add.reduceat(vals, seg, axis=1)
    den = np.add.reduceat(wts, seg, axis=1)
    res = np.full(num.shape, np.nan)
    np.divide(num, den, out=res, where=den > 0)
    out[:, has] = res
    return out
