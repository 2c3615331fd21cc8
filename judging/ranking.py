"""Ranking of entries from consensus scores, with a deterministic, documented tie-break.

Pure numpy; no Flask, no database. Vectorized over entries (sorts, cumulative maxima).

- :func:`rank_entries`: competition and dense ranks, per category (``group``), with tie-break keys.
- :func:`combine_stages`: weighted combination of several scored stages (desk, presentation,
  field, ...), with a documented rule for missing stages.
- :func:`near_ties`: which places are statistical ties, from standard errors or intervals.
- :func:`bootstrap_ranks`: bootstrap over sheets (resampled within each entry) giving each
  entry a rank interval and its probability of being in its category's top N.
- :func:`rank_uncertainty`: the one entry point for a ranking with calibrated uncertainty:
  score, SE, place interval, P(top N), ties, P(a above b) and the judges' estimated habits,
  from the posterior of the hierarchical judge model in ``judging.uncertainty``.
- :func:`summarize_draws`: the same summaries from any score draws (e.g. combined stages,
  :func:`combine_draws`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from judging.diagnostics import krippendorff_alpha
from judging.normalize import ACROSS, DEFAULT_METHOD, check_sheets, sample_posterior

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


def combine_stages(
    scores,
    weights,
    missing: str = "renormalize",
    min_weight: float = 0.0,
    standardize: bool = False,
):
    """Combine per-stage scores ``scores`` (n_entries, n_stages) with stage ``weights``
    (n_stages,), e.g. desk 40 %, presentation 30 %, field 30 % as ``(0.4, 0.3, 0.3)`` or
    ``(40, 30, 30)`` (weights are normalized to sum 1). Returns (n_entries,) combined scores.

    A NaN score means the entry has no score for that stage. ``missing`` decides:

    - ``"renormalize"`` (default): weighted mean of the stages the entry has, the weights
      renormalized over them (an entry with desk 80 and presentation 70 but no field visit gets
      ``(0.4*80 + 0.3*70) / 0.7``). NaN if it has no stage, or if the weight of the stages it
      has is below ``min_weight`` (a fraction of the total, e.g. 0.5). This keeps a missing
      score from counting as a zero; use it when a stage score is missing by accident.
    - ``"zero"``: a missing stage scores 0 (an entry that did not reach a stage loses its
      weight); NaN only if every stage is missing.
    - ``"nan"``: any missing stage makes the combined score NaN (unranked). Use it, or rank the
      finalists separately, when later stages are only held for a shortlist.

    Scores should be on a common scale (e.g. each stage's consensus on 0-100). Even then a
    stage whose scores spread widely decides more than its weight says (a 60/40 weighting of a
    stage spread over 40 points and one spread over 5 is about 92/8 in influence). With
    ``standardize=True`` every stage is first mapped linearly onto a common mean and spread
    (see :func:`stage_influence`), so a 60/40 weighting gives 60/40 influence;
    :func:`stage_influence` reports the effective weights either way.
    """
    if standardize:
        scores = standardize_stages(scores, weights)[0]
    scores = np.asarray(scores, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if scores.ndim != 2:
        raise ValueError("scores must be a 2-d array (n_entries, n_stages)")
    if weights.shape != (scores.shape[1],):
        raise ValueError("weights must have one value per stage (column of scores)")
    if np.any(~np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("stage weights must be finite, non-negative and not all zero")
    if np.any(np.isinf(scores)):
        raise ValueError("stage scores must be finite or NaN (missing)")
    w = weights / weights.sum()
    present = ~np.isnan(scores)
    filled = np.where(present, scores, 0.0)
    total = filled @ w
    if missing == "renormalize":
        have = present @ w
        out = np.full(scores.shape[0], np.nan)
        ok = (have > 0) & (have >= min_weight - 1e-12)
        np.divide(total, have, out=out, where=ok)
        return out
    if missing == "zero":
        return np.where(present.any(axis=1), total, np.nan)
    if missing == "nan":
        return np.where(present.all(axis=1), total, np.nan)
    raise ValueError("missing must be 'renormalize', 'zero' or 'nan'")


def _stage_stats(scores, weights):
    scores = np.asarray(scores, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if scores.ndim != 2 or weights.shape != (scores.shape[1],):
        raise ValueError("scores must be (n_entries, n_stages) with one weight per stage")
    if np.any(~np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("stage weights must be finite, non-negative and not all zero")
    if np.any(np.isinf(scores)):
        raise ValueError("stage scores must be finite or NaN (missing)")
    w = weights / weights.sum()
    present = ~np.isnan(scores)
    cnt = present.sum(axis=0)
    filled = np.where(present, scores, 0.0)
    mean = np.divide(filled.sum(axis=0), cnt, out=np.full(w.size, np.nan), where=cnt > 0)
    dev = np.where(present, scores - np.nan_to_num(mean), 0.0)
    sd = np.sqrt(
        np.divide((dev * dev).sum(axis=0), cnt, out=np.full(w.size, np.nan), where=cnt > 0)
    )
    return scores, w, mean, sd


def standardize_stages(scores, weights):
    """Map every stage (column of ``scores``) linearly onto a common mean and spread:
    ``M + S * (x - mean_k) / sd_k`` with ``M = sum w_k mean_k`` and ``S = sum w_k sd_k``
    (means and population sds over the entries that have the stage; weights normalized), so
    the numbers stay on the rubric's scale. A stage without spread maps to ``M``.
    Returns ``(standardized scores, (a, b))`` with ``standardized = a + b * scores`` per
    stage, the map to apply to draws of the same stages."""
    scores, w, mean, sd = _stage_stats(scores, weights)
    ok = np.isfinite(mean)
    M = float(np.sum(w[ok] * mean[ok])) if ok.any() else 0.0
    S = float(np.sum(w[ok] * sd[ok])) if ok.any() else 0.0
    b = np.divide(S, sd, out=np.zeros(w.size), where=ok & (sd > 0))
    a = M - b * np.nan_to_num(mean)
    return a + b * scores, (a, b)


@dataclass(frozen=True)
class StageInfluence:
    """weights: the stage weights as given, normalized to sum 1; sd: each stage's spread
    (population sd over the entries that have it; after standardization when asked);
    effective: each stage's share of influence on the combined score, ``w_k sd_k / sum w sd``
    (the sd of the stage's term in the weighted sum, as a share); standardize: as asked."""

    weights: np.ndarray
    sd: np.ndarray
    effective: np.ndarray
    standardize: bool


def stage_influence(scores, weights, standardize: bool = False) -> StageInfluence:
    """Effective weights of the stages in :func:`combine_stages`: how much each stage moves
    the combined score, ``w_k sd_k / sum_i w_i sd_i``. Without standardization a stage with a
    wide spread takes more than its weight; with ``standardize=True`` every stage has the same
    spread and the effective weights are the stated ones."""
    if standardize:
        scores = standardize_stages(scores, weights)[0]
    _, w, _, sd = _stage_stats(scores, weights)
    term = w * np.nan_to_num(sd)
    tot = term.sum()
    eff = term / tot if tot > 0 else np.full(w.size, np.nan)
    return StageInfluence(w, sd, eff, bool(standardize))


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


# --------------------------------------------------------------------------------------------
# Ranking with calibrated uncertainty (posterior of the judge model)
# --------------------------------------------------------------------------------------------

#: machine-readable warning codes of :class:`UncertainRanking` (the app translates them)
WARNING_CODES = {
    "disconnected": "groups of judges share no entry; ranked within each group only",
    "assumed_equal": "groups of judges share no entry; ranked across them assuming equal "
    "average strength",
    "mostly_noise": "the judges hardly agree; the ranking is mostly noise",
    "not_converged": "the sampler has not settled; the intervals are approximate",
    "se_not_estimable": "no entry has two sheets: the judges' noise cannot be estimated",
}
#: reliability of the entry scores below which the ranking is called mostly noise
NOISE_RELIABILITY = 0.5


@dataclass(frozen=True)
class UncertainRanking:
    """A ranking with its uncertainty, per entry (n_entries,) and per judge (n_judges,).

    score: displayed score on the rubric's scale, the posterior mean clipped to
        [scale_min, scale_max] (NaN without sheets); score_unclipped: the same, not clipped
        (the ranking uses it, so two entries both shown as 100 are still ordered).
    se: posterior sd of the score (NaN without sheets, or when not estimable).
    rank: place within the entry's ranking group (``rank_group``: the category, and with
        ``across="refuse"`` also the group of linked judges), 1 = best, 0 = unranked.
    rank_lo, rank_hi: the ``level`` interval of the place (e.g. 5th-95th percentile of the
        posterior place for level 0.9); rank_median: the posterior median place.
    p_top: probability of a place <= ``top_n``; p_first: probability of first place.
    p_above_next: probability that the entry is above the entry placed just below it
        (``next_entry``, -1 for the last of a group and unranked entries, whose p_above_next is
        NaN); tied_with_next: p_above_next < 0.95 (the two cannot be ordered at 95 %); tied:
        tied with the next or the previous place.
    component: group of linked judges per entry (-1 without sheets); n_components.
    rank_group: the group a place is counted in (entries are compared only within one).
    n_sheets: sheets per entry.
    judge_offset: leniency, points above the group's average sheet (negative = harsh);
        judge_scale: points a judge moves per point of quality (1 = like the panel);
        judge_noise: noise sd of a judge's sheets (points); judge_n_sheets; all posterior
        means, NaN for judges without sheets.
    reliability: share of the entry scores' variance due to quality, ``tau^2 / (tau^2 +
        mean measurement variance)`` (0-1; below 0.5 the ranking is mostly noise).
    alpha: Krippendorff's alpha (interval) of the raw scores (NaN when not computable).
    converged: the sampler settled (split-R-hat <= 1.1); rhat: that R-hat.
    warning: plain-English warning (None if none); warning_code: the main machine-readable
        code (see ``WARNING_CODES``) or None; warning_codes: all that apply.
    score_draws: (n_draws, n_entries) float32 posterior draws of the unclipped score;
        rank_draws: (n_draws, n_entries) posterior draws of the place (0 = unranked).
    level, top_n, method, across, censored (sheets treated as censored at a bound).
    sheet_blunder: (n_sheets,) probability that each sheet (in the input's order) is a
        blunder, a score unrelated to the entry such as 9 typed for 90, which the fit gives
        almost no weight (``judging.uncertainty``); blunder_rate: the share of such sheets.
    group_level: (n_components,) the centre of each group of linked judges, about which the
        judges' offsets and scales are counted (:meth:`expected_total`).
    Use :meth:`p_above` for P(a above b) of any two entries.
    """

    score: np.ndarray
    score_unclipped: np.ndarray
    se: np.ndarray
    rank: np.ndarray
    rank_lo: np.ndarray
    rank_hi: np.ndarray
    rank_median: np.ndarray
    p_top: np.ndarray
    p_first: np.ndarray
    p_above_next: np.ndarray
    next_entry: np.ndarray
    tied_with_next: np.ndarray
    tied: np.ndarray
    component: np.ndarray
    n_components: int
    rank_group: np.ndarray
    n_sheets: np.ndarray
    judge_offset: np.ndarray
    judge_scale: np.ndarray
    judge_noise: np.ndarray
    judge_n_sheets: np.ndarray
    reliability: float
    alpha: float
    converged: bool
    rhat: float
    warning: str | None
    warning_code: str | None
    warning_codes: tuple
    score_draws: np.ndarray = field(repr=False)
    rank_draws: np.ndarray = field(repr=False)
    level: float = 0.9
    top_n: int = 10
    method: str = DEFAULT_METHOD
    across: str = "assume_equal"
    censored: int = 0
    sheet_blunder: np.ndarray | None = None
    blunder_rate: float = 0.0
    group_level: np.ndarray | None = None

    def p_above(self, a, b):
        """P(entry a is placed above entry b), from the draws (a and b may be arrays of
        indices; NaN where either has no sheets). Entries of different ranking groups are
        compared by score, which is only meaningful with ``across="assume_equal"``."""
        a = np.asarray(a, dtype=np.intp)
        b = np.asarray(b, dtype=np.intp)
        d = self.score_draws
        p = (d[:, a] > d[:, b]).mean(axis=0) + 0.5 * (d[:, a] == d[:, b]).mean(axis=0)
        ok = (self.n_sheets[a] > 0) & (self.n_sheets[b] > 0)
        return np.where(ok, p, np.nan)

    def expected_total(self, entry, judge):
        """What ``judge`` would be expected to give ``entry`` (arrays of indices): the judge's
        line at the entry's score, ``level + offset + scale * (score - level)`` with the
        posterior means (``level``: ``group_level`` of the entry's group). NaN without
        ``group_level`` (a fit made by hand) or for an entry or judge without sheets."""
        entry = np.asarray(entry, dtype=np.intp)
        judge = np.asarray(judge, dtype=np.intp)
        if self.group_level is None or not self.group_level.size:
            return np.full(entry.shape, np.nan)
        lv = self.group_level[np.clip(self.component[entry], 0, self.group_level.size - 1)]
        return (
            lv
            + self.judge_offset[judge]
            + self.judge_scale[judge] * (self.score_unclipped[entry] - lv)
        )


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


def rank_uncertainty(
    entry,
    judge,
    score,
    *,
    method: str = DEFAULT_METHOD,
    n_entries=None,
    n_judges=None,
    group=None,
    scale_min=None,
    scale_max=None,
    level: float = 0.9,
    top_n: int = 10,
    seed=0,
    across: str = "assume_equal",
    n_draws=None,
    n_burn=None,
) -> UncertainRanking:
    """Rank entries with calibrated uncertainty: the one entry point for the ranking pages.

    Fits the hierarchical judge model of ``judging.uncertainty`` (each judge's offset, scale and
    noise with weakly informative priors; scores at ``scale_min``/``scale_max`` treated as
    censored) by Gibbs sampling and summarizes its posterior: see :class:`UncertainRanking`.
    ``method`` names the judge effects in the model: ``"bias_scale"`` (the default, offset,
    scale and noise per judge), ``"bias"`` (offset and noise) or ``"raw"`` (noise only); the
    other normalization methods have no model and are refused. ``group`` (one category label
    per entry) ranks each category separately. ``level`` is the coverage of the place interval
    (0.9: 5th-95th percentile). ``seed`` fixes the draws (same input, same seed: same result).

    Groups of judges that share no entry (``n_components > 1``), ``across``:

    - ``"assume_equal"`` (default): one ranking across groups, assuming the groups' entries
      are of equal average strength (as when entries were split between panels at random):
      each group's scores are centred on its mean entry, so a lenient group no longer lifts
      its entries, and the intervals include the uncertainty of each group's average
      (``tau^2 / n_group``). The warning (code ``assumed_equal``) says so. Default because
      the committee has to publish one ranking, and this is the honest way to make one.
    - ``"refuse"``: places are counted within each group of linked judges (and category); no
      entry is placed against an entry of another group, the warning (code
      ``disconnected``) says why and that a judge scoring entries of both groups would link
      them. Use it when the groups were formed by strength or theme, not at random.

    Bad input is refused with a ValueError (``judging.uncertainty.check_sheets``): duplicate
    (entry, judge) sheets, indices beyond ``n_entries``/``n_judges`` or far beyond the number
    of sheets, non-finite or out-of-range scores.
    """
    if method not in ("bias_scale", "bias", "raw"):
        raise ValueError(f"rank_uncertainty models 'bias_scale', 'bias' or 'raw', not {method!r}")
    if across not in ACROSS:
        raise ValueError(f"across must be one of {ACROSS}")
    entry, judge, score, n_entries, n_judges = check_sheets(
        entry, judge, score, n_entries, n_judges, scale_min, scale_max
    )
    post = sample_posterior(
        entry,
        judge,
        score,
        n_entries=n_entries,
        n_judges=n_judges,
        model=method,
        scale_min=scale_min,
        scale_max=scale_max,
        across=across,
        n_draws=n_draws,
        n_burn=n_burn,
        seed=seed,
        checked=True,
    )
    E = int(n_entries)
    draws = post.score_draws
    has = post.n_sheets > 0
    comp = post.entry_component
    gi, _ = _group_index(group, E)
    if across == "refuse" and post.n_components > 1:
        rank_group = gi * post.n_components + np.maximum(comp, 0)
    else:
        rank_group = gi
    with np.errstate(invalid="ignore"):
        mean = np.where(has, draws.mean(axis=0, dtype=float), np.nan)
        se = np.where(has, draws.std(axis=0, dtype=float, ddof=1), np.nan)
    summary = summarize_draws(draws, mean, rank_group, level=level, top_n=top_n)
    codes = []
    texts = []
    if post.n_components > 1:
        sizes = np.bincount(comp[comp >= 0], minlength=post.n_components)
        size_txt = ", ".join(str(int(x)) for x in sizes[:10]) + (
            ", ..." if post.n_components > 10 else ""
        )
        if across == "refuse":
            codes.append("disconnected")
            texts.append(
                f"The judges fall into {post.n_components} groups that share no entry (group "
                f"sizes: {size_txt} entries). Nothing links their scores, so a strong group "
                "cannot be told apart from a lenient one: entries are placed only within their "
                "own group. To rank across groups, have at least one judge (better several) "
                "score entries of every group."
            )
        else:
            codes.append("assumed_equal")
            texts.append(
                f"The judges fall into {post.n_components} groups that share no entry (group "
                f"sizes: {size_txt} entries). The ranking across groups assumes their entries "
                "are equally strong on average; the place intervals include that uncertainty. "
                "Judges who score entries of several groups would remove the assumption."
            )
    # reliability of the entry scores: quality variance against the measurement variance
    info = (
        np.bincount(
            entry,
            weights=(
                np.nan_to_num(post.scale, nan=1.0) ** 2 / np.nan_to_num(post.noise, nan=np.inf) ** 2
            )[judge],
            minlength=E,
        )
        if score.size
        else np.zeros(E)
    )
    meas = np.divide(1.0, info, out=np.full(E, np.nan), where=info > 0)
    tau2 = post.tau_z**2
    reliability = (
        float(tau2 / (tau2 + np.nanmean(meas)))
        if has.any() and np.isfinite(np.nanmean(meas) if np.isfinite(meas).any() else np.nan)
        else float("nan")
    )
    alpha = krippendorff_alpha(entry, judge, score) if score.size else float("nan")
    multi = np.bincount(entry, minlength=E) if score.size else np.zeros(E, np.intp)
    if not (multi >= 2).any():  # no entry has two sheets: agreement cannot be judged
        reliability = float("nan")
    if np.isfinite(reliability) and reliability < NOISE_RELIABILITY:
        codes.append("mostly_noise")
        per_entry = float(np.mean(post.n_sheets[has]))
        target = 0.8
        need = per_entry * (target / (1 - target)) / max(reliability / (1 - reliability), 1e-9)
        alpha_txt = f"{alpha:.2f}" if np.isfinite(alpha) else "not computable"
        texts.append(
            f"The judges hardly agree (Krippendorff's alpha {alpha_txt}; reliability of the "
            f"entry scores {reliability:.2f}): the ranking is mostly noise. What would help: "
            f"a calibration session on a few sample entries and clearer rubric anchors; with "
            f"judges as they are, about {min(need, 999):.0f} judges per entry (now "
            f"{per_entry:.1f}) would bring the reliability to {target}."
        )
    if score.size and not (multi >= 2).any():
        codes.append("se_not_estimable")
        texts.append(
            "No entry has two sheets, so the judges' noise cannot be estimated: "
            "the standard errors and place intervals are not available."
        )
        se = np.full(E, np.nan)
    if not post.converged:
        codes.append("not_converged")
        texts.append(
            f"The sampler has not fully settled (R-hat {post.rhat:.2f}); the "
            "intervals are approximate. Run again with more draws (n_draws)."
        )
    lo = -np.inf if scale_min is None else float(scale_min)
    hi = np.inf if scale_max is None else float(scale_max)
    return UncertainRanking(
        score=np.clip(mean, lo, hi),
        score_unclipped=mean,
        se=se,
        rank=summary["rank"],
        rank_lo=summary["rank_lo"],
        rank_hi=summary["rank_hi"],
        rank_median=summary["rank_median"],
        p_top=summary["p_top"],
        p_first=summary["p_first"],
        p_above_next=summary["p_above_next"],
        next_entry=summary["next_entry"],
        tied_with_next=summary["tied_with_next"],
        tied=summary["tied"],
        component=comp,
        n_components=post.n_components,
        rank_group=rank_group,
        n_sheets=post.n_sheets,
        judge_offset=post.offset,
        judge_scale=post.scale,
        judge_noise=post.noise,
        judge_n_sheets=post.judge_n_sheets,
        reliability=reliability,
        alpha=alpha,
        converged=post.converged,
        rhat=post.rhat,
        warning=" ".join(texts) if texts else None,
        warning_code=codes[0] if codes else None,
        warning_codes=tuple(codes),
        score_draws=draws,
        rank_draws=summary["rank_draws"],
        level=float(level),
        top_n=int(top_n),
        method=method,
        across=across,
        censored=post.censored,
        # float32: a probability needs no more, and it halves what the shared cache keeps
        sheet_blunder=np.asarray(
            np.zeros(score.size) if post.sheet_blunder is None else post.sheet_blunder,
            dtype=np.float32,
        ),
        blunder_rate=float(post.blunder_rate),
        group_level=_levels(post, entry, score, across),
    )


def _levels(post, entry, score, across: str) -> np.ndarray:
    """Per group of linked judges, where the sampler centred its entry scores: the group's
    mean sheet, or with ``across="assume_equal"`` and several groups the common level (the
    groups' means weighted by their entries), as ``judging.normalize_posterior`` saves its
    draws. The judges' offsets and scales are counted about it."""
    n_comp = max(int(post.n_components), 1)
    if not score.size:
        return np.zeros(n_comp)
    comp = post.entry_component
    sheet_comp = np.maximum(comp[entry], 0)
    m_c = np.bincount(sheet_comp, weights=score, minlength=n_comp) / np.maximum(
        np.bincount(sheet_comp, minlength=n_comp), 1
    )
    if across == "assume_equal" and post.n_components > 1:
        e_n = np.bincount(comp[comp >= 0], minlength=n_comp).astype(float)
        m_c = np.full(n_comp, float(np.sum(m_c * e_n) / e_n.sum()))
    return m_c
