"""The closed-form normalization methods ``raw``, ``median``, ``zscore`` and ``rank``
(:mod:`judging.normalize`). Pure numpy.
"""

from __future__ import annotations

import numpy as np

from judging.normalize_core import (
    _check,
    _entry_mean_sum,
    _pooled_within_se,
    _result,
)


def raw(entry, judge, score, n_entries=None, *, n_judges=None, scale_min=None, scale_max=None):
    """Mean of the raw sheet totals per entry: no correction for judges at all.

    ``entry_score[e] = mean(score of e's sheets)``; SE from the pooled within-entry variance.
    """
    d = _check(entry, judge, score, n_entries, n_judges, scale_min, scale_max)
    mean, total = _entry_mean_sum(d, d.score)
    return _result(d, "raw", mean, d.score.copy(), _pooled_within_se(d, d.score, total))


def median(entry, judge, score, n_entries=None, *, n_judges=None, scale_min=None, scale_max=None):
    """Median of the raw sheet totals per entry (mean of the two middle sheets for an even
    count). No correction for judges; robust to a single wild sheet.

    Vectorized: sheets sorted by (entry, score) with ``np.lexsort``, then the middle positions
    of each entry's run are picked. SE: ``sqrt(pi/2)`` times the pooled-variance SE of the mean.
    """
    d = _check(entry, judge, score, n_entries, n_judges, scale_min, scale_max)
    med = _group_median(d.entry, d.score, d.n_entries, d.e_count)
    _, total = _entry_mean_sum(d, d.score)
    se = _pooled_within_se(d, d.score, total) * np.sqrt(np.pi / 2)
    return _result(d, "median", med, d.score.copy(), se)


def _group_median(index, values, n, counts):
    out = np.full(n, np.nan)
    if values.size == 0:
        return out
    order = np.lexsort((values, index))
    v = values[order]
    start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    has = counts > 0
    lo = start[has] + (counts[has] - 1) // 2
    hi = start[has] + counts[has] // 2
    out[has] = 0.5 * (v[lo] + v[hi])
    return out


def zscore(entry, judge, score, n_entries=None, *, n_judges=None, scale_min=None, scale_max=None):
    """Per-judge z-score of sheet totals, averaged per entry, rescaled onto the rubric's scale.

    Model: every judge saw entries of the same average quality (random assignment), so a judge's
    mean and spread describe the judge, not the entries. Each sheet becomes
    ``z = (score - mean_judge) / sd_judge`` (population sd); a judge whose scores are all equal
    (sd = 0, including a judge with one sheet) gives z = 0. For display, z is mapped back with
    the pooled mean and sd of all sheets: ``pooled_mean + z * pooled_sd``, so numbers stay on
    the rubric's scale. Judge offset = judge mean - pooled mean; judge scale = judge sd /
    pooled sd.
    """
    d = _check(entry, judge, score, n_entries, n_judges, scale_min, scale_max)
    if d.score.size == 0:
        return _result(
            d, "zscore", np.full(d.n_entries, np.nan), d.score.copy(), np.full(d.n_entries, np.nan)
        )
    y, j = d.score, d.judge
    n = y.size
    jn = np.maximum(d.j_count, 1)
    s1 = np.bincount(j, weights=y, minlength=d.n_judges)
    s2 = np.bincount(j, weights=y * y, minlength=d.n_judges)
    pooled_mean = s1.sum() / n
    pooled_var = max(s2.sum() / n - pooled_mean**2, 0.0)
    pooled_sd = np.sqrt(pooled_var)
    jmean = s1 / jn
    jvar = s2 / jn - jmean**2
    # a judge whose scores are all equal has variance 0 up to rounding: treat it as 0
    jvar = np.where(jvar > 1e-10 * (pooled_var + jmean**2 + 1e-300), jvar, 0.0)
    jsd = np.sqrt(jvar)
    # sheet = pooled_mean + (y - jmean) / jsd * pooled_sd  ==  b_j + a_j * y
    a = np.divide(pooled_sd, jsd, out=np.zeros(d.n_judges), where=jsd > 0)
    b = pooled_mean - a * jmean
    sheet = np.take(a, j)  # b[j] + a[j] * y, one temporary fewer (np.take: a faster gather)
    sheet *= y
    sheet += np.take(b, j)
    mean, total = _entry_mean_sum(d, sheet)
    has_j = d.j_count > 0
    offset = np.where(has_j, jmean - pooled_mean, np.nan)
    scale = np.full(d.n_judges, np.nan)
    if pooled_sd > 0:
        scale = np.where(has_j, jsd / pooled_sd, np.nan)
    # The sheets' mean is pooled_mean and, as each judge's z-scores have mean 0 and mean
    # square 1, sum (sheet - pooled_mean)^2 = pooled_var * (sheets of judges with a spread):
    # the SE needs no other pass over the sheets.
    total_ss = pooled_var * float(d.j_count[jsd > 0].sum())
    se = _pooled_within_se(d, sheet, total, centre=pooled_mean, total_ss=total_ss)
    return _result(d, "zscore", mean, sheet, se, offset=offset, scale=scale)


def _percentile_within(group, values, n_groups, counts):
    """Mid-rank percentile of each value within its group, ties sharing the average rank:
    ``(average 0-based position + 0.5) / group size``, in (0, 1)."""
    n = values.size
    order = np.lexsort((values, group))
    g = group[order]
    v = values[order]
    start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    pos = np.arange(n) - start[g]
    new = np.ones(n, dtype=bool)
    new[1:] = (g[1:] != g[:-1]) | (v[1:] != v[:-1])
    run_start = np.flatnonzero(new)
    run_end = np.append(run_start[1:], n) - 1
    run_id = np.cumsum(new) - 1
    avg = 0.5 * (pos[run_start] + pos[run_end])
    pct = np.empty(n)
    pct[order] = (avg[run_id] + 0.5) / counts[g]
    return pct


def rank(entry, judge, score, n_entries=None, *, n_judges=None, scale_min=None, scale_max=None):
    """Per-judge percentile rank, averaged per entry, mapped linearly onto the rubric's scale.

    Each sheet becomes its mid-rank percentile among the judge's sheets,
    ``p = (average 0-based position + 0.5) / n_judge`` (ties share the average position, a
    judge with one sheet or all-equal scores gives 0.5). Like ``zscore`` it assumes random
    assignment, and it keeps only the order of a judge's scores. For display ``p`` is mapped
    with the pooled mean and sd of all sheets, treating ``p`` as uniform on (0, 1) (sd
    ``1/sqrt(12)``): ``pooled_mean + (p - 0.5) * sqrt(12) * pooled_sd``.
    """
    d = _check(entry, judge, score, n_entries, n_judges, scale_min, scale_max)
    if d.score.size == 0:
        return _result(
            d, "rank", np.full(d.n_entries, np.nan), d.score.copy(), np.full(d.n_entries, np.nan)
        )
    pct = _percentile_within(d.judge, d.score, d.n_judges, d.j_count)
    sheet = d.score.mean() + (pct - 0.5) * np.sqrt(12.0) * d.score.std()
    mean, total = _entry_mean_sum(d, sheet)
    return _result(d, "rank", mean, sheet, _pooled_within_se(d, sheet, total))
