"""The shared core of the normalization methods (:mod:`judging.normalize`): the result
type :class:`Normalized`, the input checks (duplicate sheets, stray ids, non-finite scores)
and small vectorized helpers. Pure numpy.

Dot products of long vectors use :func:`_dot` (an elementwise product and numpy's pairwise
sum), not ``@``, ``np.dot`` or ``np.vecdot``: numpy 2.4 hands all three to BLAS, which may
start threads for long vectors: 8-12 ms per call on a busy 2-core server against 0.2 ms for
the sum of 250,000 products (measured 2026-12-03).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from judging.normalize_graph import _Graph, _graph, _LazyGraph

#: signal share (``Normalized.signal``) below which the ranking is mostly noise
MOSTLY_NOISE = 0.5
#: largest entry/judge index accepted without an explicit ``n_entries``/``n_judges``, on top of
#: 10 per sheet (a stray database id instead of a position would otherwise allocate gigabytes)
MAX_FREE_INDEX = 1_000_000

_EMPTY_F = np.zeros(0)
_EMPTY_I = np.zeros(0, dtype=np.intp)


@dataclass(frozen=True)
class Normalized:
    """Result of a normalization.

    entry_score: (n_entries,) consensus score per entry on the rubric's scale, higher is better;
        NaN for entries without sheets.
    n_sheets: (n_entries,) number of sheets behind each entry score.
    sheet_score: (n_sheets,) each sheet's normalized score, on the rubric's scale: the entry's
        quality as this one sheet alone tells it, once the judge's habits are taken out.
    method: name of the method that produced it.
    entry_se: (n_entries,) standard error of ``entry_score`` (NaN where it cannot be estimated,
        e.g. no sheets, or every entry has a single sheet under a method without a noise model).
    sheet_weight: (n_sheets,) weight of each sheet in its entry's score: ``entry_score`` is the
        ``sheet_weight``-weighted mean of ``sheet_score`` (the median for ``median``).
    judge_offset: (n_judges,) how many points above the panel a judge scores an average entry
        (positive = lenient, negative = harsh); NaN where the method has no such notion.
    judge_scale: (n_judges,) how many points a judge moves per point of quality (1 = like the
        panel, below 1 = uses a narrow part of the scale); NaN where not estimated.
    judge_noise: (n_judges,) estimated noise sd of the judge's sheets (points); NaN where not
        estimated.
    judge_reliability: (n_judges,) share of the variance of the judge's scores that is due to
        the entries' quality, ``scale**2 var(q) / (scale**2 var(q) + noise**2)``, in [0, 1].
    judge_n_sheets: (n_judges,) number of sheets per judge.
    component: (n_entries,) [property] index of the group of entries linked through shared
        judges that each entry belongs to (0..n_components-1; -1 for entries without sheets).
    judge_component: (n_judges,) [property] the same per judge (-1 for judges without sheets).
    n_components: [property] number of such groups. Scores are only comparable within a group.
    warning: [property] human-readable warning for the committee ("" if none).
    n_iter: iterations used by an iterative fit (0 for closed-form methods).
    converged: False when an iterative fit stopped at its iteration limit without settling:
        its scores then depend on where it stopped. ``bias_scale`` does not try to fit scales
        when the judges hardly agree (see ``signal``), relaxes its steps when it oscillates,
        and counts a fit that still creeps by under 1 % of the scores' spread as settled.
    scale_min, scale_max: the rubric's range given to :func:`normalize` (None if not given);
        display_score: [property] ``entry_score`` clipped to it, for display.
    signal: share of the variance of the entries' scores that is quality, not noise
        (``1 - mean(noise^2 / n_e) / var(scores)`` from the additive fit; NaN where not
        estimated); mostly_noise: [property] signal below 0.5, the ranking is mostly noise.
    """

    entry_score: np.ndarray
    n_sheets: np.ndarray
    sheet_score: np.ndarray
    method: str
    entry_se: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    sheet_weight: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    judge_offset: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    judge_scale: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    judge_noise: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    judge_reliability: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    judge_n_sheets: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    n_iter: int = 0
    converged: bool = True
    signal: float = float("nan")
    scale_min: float | None = None
    scale_max: float | None = None
    # groups of linked judges: either a ready _Graph, or a _LazyGraph computed on first access
    # (the closed-form methods do not need it for the fit, and it costs more than they do)
    graph: object = field(default=None, repr=False, compare=False)

    def _graph(self) -> _Graph:
        g = self.graph
        if not isinstance(g, _Graph):
            if isinstance(g, _LazyGraph):
                g = _graph(g.entry, g.judge, g.n_entries, g.n_judges)
            else:  # built by hand without sheets: one group of the entries that have sheets
                n = np.asarray(self.n_sheets)
                comp = np.where(n > 0, 0, -1).astype(np.intp)
                nj = np.asarray(self.judge_n_sheets)
                g = _Graph(comp, np.where(nj > 0, 0, -1).astype(np.intp), int(n.any()), "")
            object.__setattr__(self, "graph", g)
        return g

    @property
    def component(self) -> np.ndarray:
        return self._graph().entry_component

    @property
    def judge_component(self) -> np.ndarray:
        return self._graph().judge_component

    @property
    def n_components(self) -> int:
        return self._graph().n_components

    @property
    def warning(self) -> str:
        return self._graph().warning

    @property
    def mostly_noise(self) -> bool:
        return bool(self.signal < MOSTLY_NOISE)

    @property
    def display_score(self) -> np.ndarray:
        """``entry_score`` clipped to the rubric's range [scale_min, scale_max] when
        :func:`normalize` was given it: a model score may land beyond the rubric (harsh judges
        giving an entry the top mark), which is shown as the bound. Rank on ``entry_score``
        (two entries both shown as 100 are still ordered)."""
        lo = -np.inf if self.scale_min is None else self.scale_min
        hi = np.inf if self.scale_max is None else self.scale_max
        return np.clip(self.entry_score, lo, hi)


# --------------------------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Data:
    entry: np.ndarray
    judge: np.ndarray
    score: np.ndarray
    n_entries: int
    n_judges: int
    e_count: np.ndarray  # sheets per entry
    j_count: np.ndarray  # sheets per judge
    cache: dict = field(default_factory=dict, compare=False, repr=False)


def _as_index(a, name):
    arr = np.asarray(a)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold integer indices")
    return arr.astype(np.intp, copy=False)


def _check(entry, judge, score, n_entries=None, n_judges=None, scale_min=None, scale_max=None):
    entry = _as_index(entry, "entry")
    judge = _as_index(judge, "judge")
    score = np.asarray(score, dtype=float)
    if not (entry.shape == judge.shape == score.shape) or entry.ndim != 1:
        raise ValueError("entry, judge and score must be 1-d arrays of the same length")
    if score.size and not np.isfinite(score.sum()):  # one cheap pass in the common case
        bad = ~np.isfinite(score)
        if bad.any():
            rows = np.flatnonzero(bad)
            raise ValueError(
                f"scores must be finite numbers: {rows.size} sheet(s) have a missing (NaN) or "
                f"infinite score, first at rows {rows[:5].tolist()}"
            )
    if score.size and (score.max() > 1e12 or score.min() < -1e12):
        rows = np.flatnonzero(np.abs(score) > 1e12)
        raise ValueError(
            f"scores must be finite numbers of sensible size: {rows.size} sheet(s) "
            f"are beyond 1e12, first at rows {rows[:5].tolist()}"
        )
    if score.size:
        if scale_min is not None or scale_max is not None:
            lo = -np.inf if scale_min is None else float(scale_min)
            hi = np.inf if scale_max is None else float(scale_max)
            out = (score < lo) | (score > hi)
            if out.any():
                rows = np.flatnonzero(out)
                raise ValueError(
                    f"{rows.size} score(s) lie outside the rubric's range [{lo:g}, {hi:g}], "
                    f"first at rows {rows[:5].tolist()} (values {score[rows[:5]].tolist()})"
                )
    if score.size:
        # an id far beyond the sheets (a database id instead of a position) would allocate
        # arrays of that length: refuse it before anything is allocated
        limit = 10 * score.size + MAX_FREE_INDEX
        for name, idx, given in (("entry", entry, n_entries), ("judge", judge, n_judges)):
            top = int(idx.max())
            if given is None and top >= limit:
                raise ValueError(
                    f"{name} index {top} is far beyond the number of sheets ({score.size}): "
                    f"pass positions 0..n-1 (not database ids), or give n_{name}s"
                )
            if given is not None and top >= given:
                raise ValueError(f"{name} index {top} is out of range for n_{name}s={given}")
    try:  # np.bincount refuses negative indices and its length is the highest index + 1
        e_count = np.bincount(entry, minlength=n_entries or 0)
        j_count = np.bincount(judge, minlength=n_judges or 0)
    except ValueError:
        raise ValueError("entry and judge indices must be non-negative") from None
    if n_entries is None:
        n_entries = e_count.size
    elif e_count.size > n_entries:
        raise ValueError(
            f"entry index {e_count.size - 1} is out of range for n_entries={n_entries}"
        )
    if n_judges is None:
        n_judges = j_count.size
    elif j_count.size > n_judges:
        raise ValueError(f"judge index {j_count.size - 1} is out of range for n_judges={n_judges}")
    _refuse_duplicates(entry, judge, int(n_judges))
    return _Data(entry, judge, score, int(n_entries), int(n_judges), e_count, j_count)


#: sheets sorted by entry with at most this many sheets on one entry are checked for duplicates
#: by comparing each sheet with the next few (see _refuse_duplicates)
_DUPLICATE_LAGS = 16


def _refuse_duplicates(entry, judge, n_judges):
    """ValueError when a judge has two sheets on one entry (they would count twice).

    Sheets sorted by entry (as the pages pass them) with at most ``_DUPLICATE_LAGS`` per entry
    are compared with the next 1..k-1 sheets (k - 1 vectorized comparisons; 1-2 ms for
    250,000 sheets). Otherwise, without a full sort: keys ``entry * n_judges + judge`` are
    hashed into about 4 buckets per sheet (``np.bincount``; 10-20 ms for 250,000 sheets, the
    count table does not fit in the cache); only sheets in a shared bucket are sorted and
    compared. Either way a duplicate found is reported by the hashing path, so the message
    does not depend on the path."""
    n = entry.size
    if n < 2:
        return
    if n > 4096 and _no_duplicates_sorted(entry, judge):
        return
    key = entry.astype(np.int64) * max(n_judges, 1) + judge
    if n <= 4096:
        cand = key
    else:
        n_buckets = 4 * n + 1
        bucket = key % n_buckets
        cand = key[np.bincount(bucket, minlength=n_buckets)[bucket] > 1]
    cand = np.sort(cand)
    dup = np.flatnonzero(cand[1:] == cand[:-1])
    if dup.size:
        k = int(cand[dup[0]])
        nj = max(n_judges, 1)
        raise ValueError(
            f"{dup.size} duplicate sheet(s): judge {k % nj} scored entry {k // nj} more than "
            "once; keep one sheet per judge and entry"
        )


def _no_duplicates_sorted(entry, judge):
    """True when ``entry`` is sorted, no entry has more than ``_DUPLICATE_LAGS`` sheets and no
    judge appears twice on an entry; False when a duplicate is found or the check does not
    apply."""
    same_entry = entry[1:] == entry[:-1]
    if not (entry[1:] >= entry[:-1]).all():
        return False
    # the longest run of one entry: k sheets need lags 1..k-1
    starts = np.flatnonzero(~same_entry)
    bounds = np.concatenate(([0], starts + 1, [entry.size]))
    k = int(np.diff(bounds).max())
    if k > _DUPLICATE_LAGS:
        return False
    for lag in range(1, k):
        if ((entry[lag:] == entry[:-lag]) & (judge[lag:] == judge[:-lag])).any():
            return False
    return True


def _components(d: _Data):
    g = _graph(d.entry, d.judge, d.n_entries, d.n_judges)
    return g.entry_component, g.judge_component, g.n_components, g.warning


# --------------------------------------------------------------------------------------------
# Small vectorized helpers
# --------------------------------------------------------------------------------------------


_BLAS_FREE_DOT = 16_384  # vectors this long or longer are summed by numpy, not BLAS


def _dot(a, b):
    """Dot product of two 1-d float arrays; long ones without BLAS (see the module docstring;
    short ones, where BLAS starts no threads, keep ``np.vecdot``)."""
    if a.size < _BLAS_FREE_DOT:
        return float(np.vecdot(a, b))
    return float(np.add.reduce(np.multiply(a, b)))


def _group_mean(index, values, n, weights=None):
    """Weighted mean of ``values`` per group (NaN for empty groups) and the weight totals."""
    if weights is None:
        wsum = np.bincount(index, minlength=n).astype(float)
        vsum = np.bincount(index, weights=values, minlength=n)
    else:
        wsum = np.bincount(index, weights=weights, minlength=n)
        vsum = np.bincount(index, weights=weights * values, minlength=n)
    mean = np.full(n, np.nan)
    np.divide(vsum, wsum, out=mean, where=wsum > 0)
    return mean, wsum


def _pooled_within_se(d: _Data, sheet, entry_sum, *, centre=None, total_ss=None):
    """SE per entry from the pooled within-entry variance of the sheets' normalized scores
    (``entry_sum``: per-entry sums of ``sheet``):
    ``var = (sum x^2 - sum_e sum_e^2 / n_e) / (n_sheets - n_entries_with_sheets)``,
    ``se_e = sqrt(var / n_e)``; NaN if every entry has a single sheet. Computed about the
    mean ``c`` of the sheets (no cancellation): ``sum (x - c)^2 - sum_e (sum_e - c n_e)^2 / n_e``.
    A method that knows ``c`` (``centre``) and ``sum (x - c)^2`` (``total_ss``) without a pass
    over the sheets gives them."""
    n_with = int(np.count_nonzero(d.e_count))
    dof = d.score.size - n_with
    se = np.full(d.n_entries, np.nan)
    if dof > 0:
        c = sheet.mean() if centre is None else centre
        if total_ss is None:
            dev = sheet - c
            total_ss = _dot(dev, dev)
        off = entry_sum - c * d.e_count
        between = np.divide(off, d.e_count, out=np.zeros(d.n_entries), where=d.e_count > 0)
        ss = total_ss - _dot(between, off)
        var = max(ss, 0.0) / dof
        np.sqrt(np.divide(var, d.e_count, out=se, where=d.e_count > 0), out=se)
    return se


def _entry_mean_sum(d: _Data, sheet):
    """Per-entry mean (NaN without sheets) and sum of ``sheet``."""
    total = np.bincount(d.entry, weights=sheet, minlength=d.n_entries)
    mean = np.full(d.n_entries, np.nan)
    np.divide(total, d.e_count, out=mean, where=d.e_count > 0)
    return mean, total


def _nan_judges(d: _Data):
    return np.full(d.n_judges, np.nan)


def _result(d: _Data, method, entry_score, sheet, se, weight=None, **judge_fields):
    nanj = _nan_judges(d)
    return Normalized(
        entry_score=entry_score,
        n_sheets=d.e_count,
        sheet_score=sheet,
        method=method,
        entry_se=se,
        sheet_weight=np.ones(d.score.size) if weight is None else weight,
        judge_offset=judge_fields.get("offset", nanj),
        judge_scale=judge_fields.get("scale", nanj),
        judge_noise=judge_fields.get("noise", nanj),
        judge_reliability=judge_fields.get("reliability", nanj),
        judge_n_sheets=d.j_count,
        n_iter=judge_fields.get("n_iter", 0),
        graph=_LazyGraph(d.entry, d.judge, d.n_entries, d.n_judges),
    )
