"""Normalization of judges' scores: separating an entry's quality from a judge's habits.

Pure numpy on index arrays; no Flask, no database. One row per submitted score sheet:
``entry`` (int array, entry index in ``0..n_entries-1``), ``judge`` (int array, judge index in
``0..n_judges-1``), ``score`` (float array, the sheet's weighted total on the rubric's scale).

Every method returns a :class:`Normalized` whose ``entry_score`` is the consensus score of each
entry (higher is better, NaN for entries without sheets) on the rubric's scale, with a standard
error per entry, and where the method estimates them, each judge's offset (leniency), scale
(spread) and reliability.

Everything is vectorized over sheets, entries and judges (``np.bincount`` group sums, sorts,
gathers); the only Python loops are over iterations of a fit.

Methods (``METHODS``; ``DEFAULT_METHOD`` is the one that won ``bench/accuracy.py``):

``raw``
    Mean of the raw totals. No correction at all.
``median``
    Median of the raw totals. Robust to one wild sheet, but no correction for judges.
``zscore``
    Per-judge standardization, mean, then mapped back onto the rubric's scale. Assumes every
    judge saw entries of the same average quality (random assignment).
``rank``
    Per-judge percentile rank, mean, then mapped linearly onto the rubric's scale. Same
    assumption as ``zscore``, and throws away how far apart a judge put two entries.
``bias``
    Additive judge-bias model ``score = quality(entry) + offset(judge) + noise``, fitted by
    (ridge-penalized) least squares with conjugate gradients. Uses the overlap between panels,
    so a panel that saw stronger entries is not mistaken for a lenient panel.
``bias_scale``
    ``score = offset(judge) + scale(judge) * quality(entry) + noise(judge)``: also corrects a
    judge who uses a narrow or wide part of the scale, and weighs noisier judges less.

Beside the point-score methods: :func:`check_sheets` (the input checks of the uncertainty
core: duplicate sheets, stray ids, non-finite scores) and :func:`sample_posterior`, the Gibbs
sampler of the hierarchical judge model behind ``judging.ranking.rank_uncertainty`` (model and
priors in ``judging.uncertainty``; it lives here because the core's import rules list this
module).

Dot products of long vectors use :func:`_dot` (an elementwise product and numpy's pairwise
sum), not ``@``, ``np.dot`` or ``np.vecdot``: numpy 2.4 hands all three to BLAS, which may
start threads for long vectors: 8-12 ms per call on a busy 2-core server against 0.2 ms for
the sum of 250,000 products (measured 2026-12-03).

Speed of the iterative fits without changing a bit of their results (2026-12-03): per-entry
sums of a per-judge value go through a (slot, entry) table of the sheets built once per fit
(:func:`_entry_sums`), adding the same values in the same order as ``np.bincount``; the loop
keeps its per-sheet temporaries in buffers allocated once per fit (:func:`_work`: fresh 2 MB
arrays cost page faults, a third of the fit's CPU time); the leave-one-out residuals are only
computed when the next step reads them. ``tests/judging/test_normalize.py`` checks that the
table and ``np.bincount`` give identical bits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

METHODS = ("raw", "median", "zscore", "rank", "bias", "bias_scale")
DEFAULT_METHOD = "bias_scale"
#: signal share of the entries' score variance below which ``bias_scale`` does not fit scales
#: (the judges hardly agree: a judge's scale cannot be told from noise, and the alternating fit
#: would wander); below MOSTLY_NOISE the result says the ranking is mostly noise
SCALE_FIT_MIN_SIGNAL = 0.25
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
# Input checking and the judge graph
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


def judge_graph_components(entry, judge, n_entries=None, n_judges=None):
    """Groups of entries and judges linked through sheets (connected components of the
    bipartite entry-judge graph).

    Returns ``(entry_component, judge_component, n_components)``: component index per entry and
    per judge, numbered 0.. in order of each group's lowest entry index; -1 for an entry or
    judge without sheets. Vectorized union-find: every entry is linked to one representative
    judge, the roots of both ends of each remaining edge are hooked (the larger root under the
    smaller one, ``np.minimum.at``), then paths are fully compressed by pointer jumping, and
    edges whose ends already share a root are dropped; a handful of rounds suffice.
    """
    entry = np.asarray(entry, dtype=np.intp)
    judge = np.asarray(judge, dtype=np.intp)
    if n_entries is None:
        n_entries = int(entry.max()) + 1 if entry.size else 0
    if n_judges is None:
        n_judges = int(judge.max()) + 1 if judge.size else 0
    e_comp = np.full(n_entries, -1, dtype=np.intp)
    j_comp = np.full(n_judges, -1, dtype=np.intp)
    if entry.size == 0:
        return e_comp, j_comp, 0
    rep = np.full(n_entries, -1, dtype=np.intp)
    rep[entry] = judge  # one of the entry's judges (whichever write lands last)
    u = judge
    v = rep[entry]
    keep = u != v
    u, v = u[keep], v[keep]
    parent = np.arange(n_judges, dtype=np.intp)
    while u.size:
        pu, pv = parent[u], parent[v]
        np.minimum.at(parent, np.maximum(pu, pv), np.minimum(pu, pv))
        while True:  # pointer jumping until every node points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        pu, pv = parent[u], parent[v]
        keep = pu != pv
        u, v = u[keep], v[keep]
    has = rep >= 0
    root = parent[rep[has]]  # root judge per entry with sheets
    # number components by their lowest entry index: first occurrence of each root
    uniq, first = np.unique(root, return_index=True)
    order = np.argsort(first, kind="stable")
    label_of_root = np.full(n_judges, -1, dtype=np.intp)
    label_of_root[uniq[order]] = np.arange(uniq.size)
    e_comp[has] = label_of_root[root]
    j_has = np.bincount(judge, minlength=n_judges) > 0
    j_comp[j_has] = label_of_root[parent[j_has]]
    return e_comp, j_comp, int(uniq.size)


def weak_blocks(
    entry,
    judge,
    n_entries,
    n_judges,
    *,
    max_conductance=0.3,
    min_judges=3,
    min_entries=10,
    max_judges=600,
):
    """Weakly linked blocks of judges inside the groups of linked judges: recursive spectral
    bisection of the judges' co-scoring graph (weight = entries two judges share), a split kept
    when its conductance (shared-entry weight across it over the smaller side's total) is below
    ``max_conductance`` and each side has ``min_judges`` judges and ``min_entries`` entries.

    Returns ``(entry_block, judge_block, n_blocks)``, blocks numbered 0.., -1 for entries and
    judges without sheets. A group of more than ``max_judges`` judges is not examined (the
    dense eigenproblem would cost seconds) and stays one block. An entry belongs to the block
    of most of its judges. Panels scored apart and joined by a handful of shared sheets come out as blocks;
    random or rotating assignments (conductance 0.3 or more) come out as one block per group.
    """
    e_comp, j_comp, n_comp = judge_graph_components(entry, judge, n_entries, n_judges)
    j_block = j_comp.copy()
    n_blocks = n_comp
    if entry.size == 0:
        return e_comp.copy(), j_block, n_blocks
    # judge pairs sharing an entry: sort sheets by entry, pair within each entry's run
    order = np.argsort(entry, kind="stable")
    es, js = entry[order], judge[order]
    todo = [np.flatnonzero(j_comp == c) for c in range(n_comp)]
    while todo:
        members = todo.pop()
        m = members.size
        if m < 2 * min_judges or m > max_judges:
            continue
        local = np.full(n_judges, -1, dtype=np.intp)
        local[members] = np.arange(m)
        keep = local[js] >= 0
        ee, jj = es[keep], local[js[keep]]
        W = np.zeros((m, m))
        # all pairs within each entry (entries have few judges: loop over offsets in the run)
        start = np.flatnonzero(np.r_[True, ee[1:] != ee[:-1]])
        run = np.diff(np.r_[start, ee.size])
        for k in range(1, int(run.max()) if run.size else 1):
            a = np.arange(ee.size - k)
            same = ee[a] == ee[a + k]
            np.add.at(W, (jj[a[same]], jj[a[same] + k]), 1.0)
        W = W + W.T
        deg = W.sum(axis=1)
        if not (deg > 0).all():
            continue
        f = _slow_mode(W, deg, seed=m)
        o = np.argsort(f, kind="stable")
        Ws = W[o][:, o]
        vol = np.cumsum(deg[o])
        inner = np.cumsum(np.cumsum(Ws, axis=0), axis=1).diagonal()
        cut = vol - inner
        total = vol[-1]
        small = np.minimum(vol, total - vol)
        k = np.arange(1, m + 1)
        ok = (k >= min_judges) & (m - k >= min_judges) & (small > 0)
        if not ok.any():
            continue
        cond = np.where(ok, cut / np.where(small > 0, small, 1.0), np.inf)
        best = int(np.argmin(cond))
        if cond[best] >= max_conductance:
            continue
        side_a, side_b = members[o[: best + 1]], members[o[best + 1 :]]
        # entries per side (by majority of their judges) must reach min_entries
        in_a = np.zeros(n_judges, dtype=bool)
        in_a[side_a] = True
        sel = local[judge] >= 0
        votes = np.bincount(
            entry[sel], weights=np.where(in_a[judge[sel]], 1.0, -1.0), minlength=n_entries
        )
        cnt = np.bincount(entry[sel], minlength=n_entries) > 0
        if min((cnt & (votes > 0)).sum(), (cnt & (votes <= 0)).sum()) < min_entries:
            continue
        j_block[side_b] = n_blocks
        n_blocks += 1
        todo += [side_a, side_b]
    # renumber blocks 0.. and give each entry the block of most of its judges
    used = np.unique(j_block[j_block >= 0])
    relabel = np.full(max(n_blocks, 1), -1, dtype=np.intp)
    relabel[used] = np.arange(used.size)
    j_block = np.where(j_block >= 0, relabel[np.maximum(j_block, 0)], -1)
    nb = int(used.size)
    votes = np.bincount(entry * nb + j_block[judge], minlength=n_entries * nb).reshape(
        n_entries, nb
    )
    e_block = np.where(votes.sum(axis=1) > 0, votes.argmax(axis=1), -1)
    return e_block, j_block, nb


def _slow_mode(W, deg, *, seed=0, n_iter=200):
    """The judges' slowest-mixing direction in the co-scoring graph ``W`` (the Fiedler
    vector's role in spectral bisection, scaled by ``deg^-1/2``): power iteration on the lazy
    normalized adjacency ``(I + D^-1/2 W D^-1/2) / 2`` with the stationary direction
    ``sqrt(deg)`` projected out. Elementwise products and sums only: ``np.linalg.eigh`` (and
    any BLAS call) starts threads that took 2-4 s for 300 judges on a busy 2-core server,
    against 0.03 s quiet. Weakly linked panels give eigenvalues near 1 that the iteration
    keeps; any vector in their span is nearly constant on each panel, which is all the sweep
    cut needs."""
    m = deg.size
    dinv = 1.0 / np.sqrt(deg)
    A = 0.5 * (dinv[:, None] * W * dinv[None, :])
    A[np.diag_indices(m)] += 0.5
    top = np.sqrt(deg) / np.sqrt(deg.sum())
    x = np.random.default_rng(seed).standard_normal(m)
    x /= float(np.sqrt(np.add.reduce(x * x)))
    for _ in range(n_iter):
        x -= float(np.add.reduce(top * x)) * top
        y = np.add.reduce(A * x[None, :], axis=1)
        norm = float(np.sqrt(np.add.reduce(y * y)))
        if not norm > 0:
            break
        y /= norm
        settled = float(np.add.reduce(np.abs(y - x))) < 1e-6 * m
        x = y
        if settled:
            break
    x -= float(np.add.reduce(top * x)) * top
    return x * dinv


@dataclass(frozen=True)
class _Graph:
    entry_component: np.ndarray
    judge_component: np.ndarray
    n_components: int
    warning: str


@dataclass(frozen=True)
class _LazyGraph:
    entry: np.ndarray
    judge: np.ndarray
    n_entries: int
    n_judges: int


def _graph(entry, judge, n_entries, n_judges) -> _Graph:
    e_comp, j_comp, n_comp = judge_graph_components(entry, judge, n_entries, n_judges)
    warning = ""
    if n_comp > 1:
        sizes = np.bincount(e_comp[e_comp >= 0], minlength=n_comp)
        warning = (
            f"The judges fall into {n_comp} groups that share no entries (group sizes: "
            f"{', '.join(str(int(s)) for s in sizes[:10])}{', ...' if n_comp > 10 else ''} "
            "entries). Scores from different groups are not comparable: no judge links them, "
            "so a strong group cannot be told apart from a lenient one. Rank within a group, "
            "or assign judges across groups."
        )
    return _Graph(e_comp, j_comp, n_comp, warning)


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


# --------------------------------------------------------------------------------------------
# Simple methods
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Model-based methods
# --------------------------------------------------------------------------------------------


def _solve_offsets(d: _Data, y, s, w, lam, a0=None, tol=1e-10, max_iter=1000, loo=False):
    """Weighted least squares for ``y_i ~ a[judge_i] + s[judge_i] * z[entry_i]``, minimizing
    ``sum_i w_j (y_i - a_j - s_j z_e)^2 + sum_j lam_j a_j^2`` over offsets ``a`` and qualities
    ``z`` (``s`` and ``w`` given).

    ``z`` is eliminated (``z_e = sum w s (y - a) / sum w s^2`` over e's sheets) and the
    symmetric positive definite system for ``a`` (its Schur complement) is solved by
    Jacobi-preconditioned conjugate gradients. Each matrix-vector product is an entry sum of a
    per-judge vector (:func:`_entry_sums`) and a judge sum of a per-entry vector
    (:func:`_judge_sums`); judge factors are taken out of judge sums, so every per-sheet
    product is gathered once from a per-judge vector. Works for any judge graph, connected or
    not. Returns ``(a, z, iterations)``; ``z`` is NaN for entries without sheets. With ``loo``
    also a function of no arguments that returns the leave-one-out squared residuals of
    :func:`_loo_noise` at the solution, ``(r2, valid)``, from the solve's own sums (a fit
    that stops after this solve never calls it).
    """
    E, J = d.n_entries, d.n_judges
    wsj = w * s  # per judge; a sheet's weight in its entry's consensus is wsj[judge] * s
    D = _entry_sums(d, wsj * s)  # sum of w s^2 per entry
    ba_buf = _work(d, "solve_entries", E)
    has_e = D > 0
    Dinv = np.zeros(E)
    np.divide(1.0, D, out=Dinv, where=has_e)
    wn = w * d.j_count  # sum of w_j over the judge's sheets
    lam = np.broadcast_to(np.asarray(lam, dtype=float), (J,))

    def matvec(a):
        ba = _entry_sums(d, wsj * a, out=ba_buf)
        ba *= Dinv
        return (wn + lam) * a - wsj * _judge_sums(d, ba)

    unum = _entry_sums(d, wsj, y)  # sum of w s y per entry
    rhs = w * _judge_sum(d, y) - wsj * _judge_sums(d, unum * Dinv)
    diag = wn + lam - wsj * wsj * _judge_sums(d, Dinv)
    diag = np.maximum(diag, np.maximum(lam, 1e-12 * np.maximum(wn, 1.0)))
    active = (wn + lam) > 0
    diag = np.where(active, diag, 1.0)
    a = np.zeros(J) if a0 is None else np.array(a0, dtype=float)
    a[~active] = 0.0
    r = rhs - matvec(a)
    r[~active] = 0.0
    zp = r / diag
    p = zp.copy()
    rz = _dot(r, zp)
    bnorm = float(np.sqrt(_dot(rhs, rhs))) or 1.0
    it = 0
    while it < max_iter and np.sqrt(_dot(r, r)) > tol * bnorm:
        it += 1
        Ap = matvec(p)
        Ap[~active] = 0.0
        pAp = _dot(p, Ap)
        if pAp <= 0:
            break
        alpha = rz / pAp
        a += alpha * p
        r -= alpha * Ap
        zp = r / diag
        rz_new = _dot(r, zp)
        p = zp + (rz_new / rz) * p
        rz = rz_new
    z = np.full(E, np.nan)
    num = unum - _entry_sums(d, wsj * a)  # sum of w s (y - a) per entry
    np.multiply(num, Dinv, out=z, where=has_e)
    if not loo:
        return a, z, it
    return a, z, it, lambda: _loo_from_sums(d, y, a, s, wsj, D, num)


def _loo_from_sums(d: _Data, y, a, s, wsj, D, num):
    """:func:`_loo_noise` from the sums of a solve (``D``: sum of w s^2, ``num``: sum of
    w s (y - a) per entry), in place in as few passes over the sheets as possible; the same
    operations in the same order, so the same numbers."""
    j = d.judge
    sj = np.take(s, j, out=_work(d, "loo_s"), mode="clip")
    ws = np.take(wsj, j, out=_work(d, "loo_ws"), mode="clip")
    wss = np.multiply(ws, sj, out=_work(d, "loo_tmp"))  # (w s^2)[judge]
    yc = np.take(a, j, out=_work(d, "loo_r2"), mode="clip")
    np.subtract(y, yc, out=yc)  # y - a_j
    safe = _at_entries(d, D, out=_work(d, "loo_safe"))
    safe -= wss  # D_e without the sheet
    thr = np.maximum(D, 1e-300)
    thr *= 1e-9
    valid = np.greater(safe, _at_entries(d, thr, out=wss), out=_work(d, "loo_valid", dtype=bool))
    invalid = np.logical_not(valid, out=_work(d, "loo_invalid", dtype=bool))
    some_invalid = bool(invalid.any())  # only entries with a single sheet
    if some_invalid:
        np.copyto(safe, 1.0, where=invalid)
    zl = _at_entries(d, num, out=wss)
    np.multiply(ws, yc, out=ws)
    zl -= ws
    zl /= safe  # z without the sheet
    zl *= sj
    np.subtract(yc, zl, out=yc)  # residual against it
    yc *= yc
    np.multiply(sj, sj, out=sj)
    sj /= safe
    yc -= sj
    if some_invalid:
        np.copyto(yc, 0.0, where=invalid)
    return yc, valid


# The sums over sheets in the fits. ``np.bincount`` adds each group's values one after the other
# in the sheets' order, starting from 0.0; every faster path below adds the same values in the
# same order, so the fits give the same numbers, bit for bit, whichever path runs
# (tests/judging/test_normalize.py compares them).

#: the (slot, entry) table of :func:`_entry_slots` is used when it has at most this many cells
#: per sheet (entries with very different numbers of sheets would make it mostly padding)
_SLOTS_MAX_FILL = 2.0
#: below this many sheets np.bincount is as fast (the table's k gathers per sum cost more
#: calls than they save: 10-25 % slower fits on a few hundred sheets)
_SLOTS_MIN_SHEETS = 20_000


@dataclass(frozen=True)
class _Slots:
    """The sheets as a table of ``k`` rows (k = most sheets on one entry) by ``n_entries``
    columns: column e holds entry e's sheets in their input order, padded with the judge index
    ``n_judges`` (a zero at the end of :attr:`table`) and a zero score.

    ``cell`` is each sheet's flat position in the table (None when the sheets are sorted by
    entry and every entry has k: the table is then the sheets' transpose); ``judge``
    (k, n_entries) the judge index per cell; ``table`` (n_judges + 1,) and ``row`` (n_entries,) are reused buffers."""

    cell: np.ndarray
    judge: np.ndarray
    table: np.ndarray
    row: np.ndarray


def _entry_slots(d: _Data):
    """The :class:`_Slots` of the sheets (built once per fit and cached on ``d``), or None
    when the table would be more than ``_SLOTS_MAX_FILL`` cells per sheet or there are fewer
    than ``_SLOTS_MIN_SHEETS`` sheets."""
    slots = d.cache.get("slots", False)
    if slots is not False:
        return slots
    S, E = d.score.size, d.n_entries
    k = int(d.e_count.max()) if S else 0
    slots = None
    big = S >= _SLOTS_MIN_SHEETS
    if big and k * E == S and _sorted_by_entry(d):  # every entry has k sheets: no padding
        judge = np.ascontiguousarray(d.judge.reshape(E, k).T)
        slots = _Slots(None, judge, np.zeros(d.n_judges + 1), np.empty(E))
    elif big and k * E <= _SLOTS_MAX_FILL * S:
        start = np.cumsum(d.e_count) - d.e_count
        rank = np.arange(S) - np.repeat(start, d.e_count)  # position within its entry, sorted
        if _sorted_by_entry(d):
            slot = rank
        else:
            slot = np.empty(S, dtype=np.intp)
            slot[np.argsort(d.entry, kind="stable")] = rank
        cell = slot * E + d.entry
        judge = np.full(k * E, d.n_judges, dtype=np.intp)
        judge[cell] = d.judge
        slots = _Slots(cell, judge.reshape(k, E), np.zeros(d.n_judges + 1), np.empty(E))
    d.cache["slots"] = slots
    return slots


def _entry_sums(d: _Data, v, y=None, out=None):
    """Per entry, the sum over its sheets of ``v[judge]`` (times ``y[sheet]`` when given),
    into ``out`` when given (n_entries,).

    With the :class:`_Slots` table: one gather per row from the short per-judge table and
    ``k`` contiguous additions (0.3 ms for 250,000 sheets against 0.8 ms for a gather onto the
    sheets and an ``np.bincount`` into 50,000 entries); padding cells add exact zeros, and the
    final ``+ 0.0`` turns a sum of negative zeros into the +0.0 that np.bincount gives."""
    slots = _entry_slots(d)
    if slots is None:
        g = np.take(v, d.judge, out=_work(d, "entry_sums"), mode="clip")
        if y is not None:
            g *= y
        sums = np.bincount(d.entry, weights=g, minlength=d.n_entries)
        if out is None:
            return sums
        out[:] = sums
        return out
    slots.table[:-1] = v
    ys = None if y is None else _slot_values(d, slots, y)
    if out is None:
        out = np.empty(d.n_entries)
    for r in range(slots.judge.shape[0]):
        cells = slots.row if r else out
        np.take(slots.table, slots.judge[r], out=cells, mode="clip")
        if ys is not None:
            cells *= ys[r]
        if r:
            out += cells
    out += 0.0
    return out


def _slot_values(d: _Data, slots: _Slots, y):
    """``y`` (per sheet) laid out in the slot table, zero in the padding; cached per ``y``
    array (constant in a fit)."""
    cache = d.cache
    if cache.get("slot_values_of") is not y:
        if slots.cell is None:  # sorted, k sheets per entry
            ys = np.ascontiguousarray(y.reshape(slots.judge.shape[::-1]).T)
        else:
            ys = np.zeros(slots.judge.size)
            ys[slots.cell] = y
        cache["slot_values_of"] = y
        cache["slot_values"] = ys.reshape(slots.judge.shape)
    return cache["slot_values"]


def _judge_sums(d: _Data, values):
    """Per judge, the sum over its sheets of the per-entry ``values[entry]``."""
    return np.bincount(d.judge, weights=_at_entries(d, values), minlength=d.n_judges)


def _work(d: _Data, name, n=None, dtype=float):
    """A work buffer of ``n`` (default: the sheets') items, allocated once per fit and reused
    by every iteration. A fresh array of 250,000 floats (2 MB) each step costs page faults
    whenever the allocator hands the memory back to the system between steps: 40,000 faults
    and a third of the default fit's CPU time for 250,000 sheets (measured 2026-12-03).
    Steps whose use of a buffer does not overlap share its name: the scale step and the
    additive fit's residuals use leave-one-out buffers while no leave-one-out result is
    pending ("loo_s", "loo_safe"; the pending residuals live in "loo_r2" and "loo_valid")."""
    key = ("work", name)
    buf = d.cache.get(key)
    if buf is None:
        buf = d.cache[key] = np.empty(d.score.size if n is None else n, dtype=dtype)
    return buf


def _sorted_by_entry(d: _Data) -> bool:
    sorted_e = d.cache.get("sorted_by_entry")
    if sorted_e is None:
        e = d.entry
        sorted_e = d.cache["sorted_by_entry"] = bool(e.size < 2 or np.all(e[1:] >= e[:-1]))
    return sorted_e


def _repeats(d: _Data):
    """``np.repeat``'s counts for :func:`_at_entries`: the one number of sheets when every
    entry has it (a scalar count repeats about 30 % faster than an array of counts), else the
    sheets per entry."""
    reps = d.cache.get("repeats")
    if reps is None:
        k = int(d.e_count.max()) if d.e_count.size else 0
        reps = d.cache["repeats"] = k if k * d.e_count.size == d.score.size else d.e_count
    return reps


def _at_entries(d: _Data, values, out=None):
    """``values[d.entry]``: per-entry values gathered onto the sheets, into ``out`` (a buffer
    of the sheets' length) when given. Without ``out``, sheets sorted by entry (as the pages
    and benchmarks pass them) take ``np.repeat``, a little cheaper than a gather; the numbers
    are the same. With ``out`` a gather into it is cheaper than a fresh array (see
    :func:`_work`)."""
    if out is None and _sorted_by_entry(d):
        return np.repeat(values, _repeats(d))
    # indices were checked by _check: mode "clip" skips numpy's buffered copy for ``out``
    return np.take(values, d.entry, out=out, mode="clip")


def _judge_sum(d: _Data, y):
    """Sum of ``y`` over each judge's sheets, cached per ``y`` array (constant in a fit)."""
    cache = d.cache
    if cache.get("judge_sum_of") is not y:
        cache["judge_sum_of"] = y
        cache["judge_sum"] = np.bincount(d.judge, weights=y, minlength=d.n_judges)
    return cache["judge_sum"]


def _component_mean(comp, values, n_comp, weights=None):
    """Mean of ``values`` per component (``comp`` >= 0), gathered back onto ``comp``."""
    ok = comp >= 0
    if ok.all():  # the usual case: no masks needed
        return _on_component(comp, _group_mean(comp, values, n_comp, weights)[0])
    mean, _ = _group_mean(comp[ok], values[ok], n_comp, None if weights is None else weights[ok])
    out = np.zeros(comp.size)
    out[ok] = mean[comp[ok]]
    return out


def _loo_noise(d: _Data, y, a, s, w):
    """Per-sheet squared leave-one-out residual, corrected for the consensus' own uncertainty.

    For sheet i of judge j on entry e, the consensus without the sheet is
    ``z_(-i) = (sum_e w s (y - a) - w_j s_j (y_i - a_j)) / (D_e - w_j s_j^2)``; the residual
    ``r = y_i - a_j - s_j z_(-i)`` has expectation ``sigma_j^2 + s_j^2 / (D_e - w_j s_j^2)``
    under the model, so the second term is subtracted. Sheets that are alone on their entry
    carry no information about noise (``valid`` is False).
    """
    j = d.judge
    wsj = w * s
    num = np.take(wsj, j, mode="clip")
    num *= y - np.take(a, j, mode="clip")
    num = np.bincount(d.entry, weights=num, minlength=d.n_entries)  # sum of w s (y - a)
    return _loo_from_sums(d, y, a, s, wsj, _entry_sums(d, wsj * s), num)


def _noise_per_judge(d: _Data, r2, valid, prior_n=3.0):
    """Judge noise variance: mean corrected squared LOO residual, shrunk towards the pool with
    ``prior_n`` pseudo-sheets; returns (per-judge variance, pooled variance)."""
    if valid.all():  # sheets that count per judge (exact integers either way)
        nv = d.j_count.astype(float)
    else:
        nv = np.bincount(d.judge, weights=valid.astype(float), minlength=d.n_judges)
    ss = np.bincount(d.judge, weights=r2, minlength=d.n_judges)
    total_n = float(nv.sum())
    spread = d.cache.get("score_var")
    if spread is None:
        spread = d.cache["score_var"] = float(np.var(d.score)) if d.score.size else 1.0
    floor = 1e-6 * spread + 1e-12
    pool = max(float(ss.sum()) / total_n, floor) if total_n > 0 else max(spread, floor)
    var = (ss + prior_n * pool) / (nv + prior_n)
    return np.maximum(var, 0.05 * pool), pool


def _entry_spread(z, comp_e, n_comp):
    """Variance of entry qualities within their components (pooled over components)."""
    ok = np.isfinite(z) & (comp_e >= 0)
    if n_comp == 1 and ok.all():
        # the usual case, without masks: the mean as np.bincount adds it (in order from 0.0)
        dev = z - (float(np.cumsum(z)[-1]) + 0.0) / float(z.size)
        return _dot(dev, dev) / z.size
    if not ok.any():
        return 0.0
    m = _component_mean(comp_e, np.where(ok, z, 0.0), n_comp, ok.astype(float))
    dev = (z - m)[ok]
    return _dot(dev, dev) / max(int(ok.sum()), 1)


def _on_component(comp, per_comp):
    """Gather a per-component value onto items (0 where ``comp`` is -1)."""
    if per_comp.size == 1 and comp.size and comp.min() >= 0:
        return np.full(comp.size, per_comp[0], dtype=float)
    out = np.zeros(comp.size)
    ok = comp >= 0
    out[ok] = per_comp[comp[ok]]
    return out


def _center_offsets(d: _Data, a, z, s, e_comp, j_comp, n_comp):
    """Shift ``z`` by a constant per component so that the offsets of the component's judges
    sum to zero, moving ``a`` by ``s * shift`` so that every prediction ``a + s z`` is kept;
    judges without sheets get NaN."""
    has_j = d.j_count > 0
    jc = j_comp[has_j]
    a_sum = np.bincount(jc, weights=a[has_j], minlength=n_comp)
    s_sum = np.bincount(jc, weights=s[has_j], minlength=n_comp)
    delta = np.zeros(n_comp)
    np.divide(-a_sum, s_sum, out=delta, where=s_sum > 0)
    a = np.where(has_j, a + s * _on_component(j_comp, delta), np.nan)
    z = z - _on_component(e_comp, delta)
    return a, z


def _fit_bias(d: _Data, shrinkage=None, tol=1e-10):
    """Fit the additive model; returns a dict of arrays (see :func:`bias`). ``tol``: relative
    residual of the conjugate-gradient solves (``bias_scale`` starts from a looser fit)."""
    e_comp, j_comp, n_comp, warning = _components(d)
    sheet_comp = _at_entries(d, e_comp)  # every sheet's entry has sheets: no -1 here
    m_c, _ = _group_mean(sheet_comp, d.score, n_comp)
    if n_comp == 1:  # y = score - m, without an array of m per sheet
        y = d.score - m_c[0]
    else:
        y = d.score - _on_component(sheet_comp, m_c)
    ones = np.ones(d.n_judges)
    n_e = d.e_count
    with_sheets = int(np.count_nonzero(n_e))
    j_with = int(np.count_nonzero(d.j_count))
    dof = d.score.size - with_sheets - j_with + n_comp
    lam0 = 1.0 if shrinkage is None else float(shrinkage)
    a, z, it = _solve_offsets(d, y, ones, ones, lam0, tol=tol)
    total_it = it
    resid = _residuals(d, y, a, z)
    sigma2 = _dot(resid, resid) / dof if dof > 0 else np.nan
    lam = lam0
    if shrinkage is None and np.isfinite(sigma2) and j_with > 1:
        # Empirical Bayes: offsets ~ N(0, tau^2). Undo the shrinkage of the first fit to get a
        # moment estimate of tau^2 (variance of a_hat minus its sampling variance).
        jn = d.j_count[d.j_count > 0].astype(float)
        a_un = a[d.j_count > 0] * (jn + lam0) / jn
        tau2 = float(np.mean(a_un**2) - np.mean(sigma2 / jn))
        tau2 = max(tau2, 1e-3 * sigma2, 1e-12)
        lam = float(np.clip(sigma2 / tau2, 0.05, 50.0))
        a, z, it = _solve_offsets(d, y, ones, ones, lam, a0=a, tol=tol)
        total_it += it
        resid = _residuals(d, y, a, z)
        sigma2 = _dot(resid, resid) / dof if dof > 0 else np.nan
    # exact sum-to-zero of offsets within each component (an exact invariance of the fit)
    a, z = _center_offsets(d, a, z, np.ones(d.n_judges), e_comp, j_comp, n_comp)
    quality = _on_component(e_comp, m_c) + z
    return dict(
        m_c=m_c,
        a=a,
        z=z,
        quality=quality,
        lam=lam,
        sigma2=sigma2,
        n_iter=total_it,
        e_comp=e_comp,
        j_comp=j_comp,
        n_comp=n_comp,
        warning=warning,
        y=y,
    )


def _residuals(d: _Data, y, a, z):
    """``y - a[judge] - z[entry]`` (z NaN read as 0) per sheet, in a work buffer."""
    r = np.take(a, d.judge, out=_work(d, "loo_safe"), mode="clip")
    np.subtract(y, r, out=r)
    r -= _at_entries(d, np.nan_to_num(z), out=_work(d, "solve"))
    return r


def bias(
    entry,
    judge,
    score,
    n_entries=None,
    *,
    n_judges=None,
    scale_min=None,
    scale_max=None,
    shrinkage=None,
):
    """Additive judge-bias model: ``score = quality(entry) + offset(judge) + noise``.

    Fitted by least squares with a ridge penalty ``lam * sum(offset^2)``, i.e. each offset is
    shrunk towards zero as if it had ``lam`` extra sheets of zero bias, so a judge with one or
    two sheets gets a small offset, not one that swallows the entry's quality. ``lam`` is
    ``noise variance / offset variance``, estimated from the data (empirical Bayes, clipped to
    [0.05, 50]) unless ``shrinkage`` gives it. The normal equations are solved by conjugate
    gradients (robust when panels are only weakly linked). Within each group of linked judges
    (see ``component``) offsets sum to zero, so ``judge_offset`` reads "judge X scores 1.2
    points above the panel", and the qualities are centred on the group's mean sheet score.

    Unlike ``zscore`` the model uses the overlap of judges between panels: a panel whose
    entries are stronger gets higher scores, not a harsh-judge correction. Different groups
    (``n_components > 1``) cannot be linked and are each centred on their own mean (see
    ``warning``).

    ``sheet_score = score - offset(judge)``; ``entry_score`` is its mean. ``entry_se`` is
    ``sqrt(sigma^2/n_e + sum_i sigma^2/(n_j + lam) / n_e^2)`` (noise plus offset uncertainty).
    ``judge_noise`` is each judge's noise sd from leave-one-out residuals (diagnostic only;
    sheets are equally weighted).
    """
    d = _check(entry, judge, score, n_entries, n_judges, scale_min, scale_max)
    if d.score.size == 0:
        return _result(
            d, "bias", np.full(d.n_entries, np.nan), d.score.copy(), np.full(d.n_entries, np.nan)
        )
    f = _fit_bias(d, shrinkage)
    a = f["a"]
    a0 = np.nan_to_num(a)
    sheet = d.score - a0[d.judge]
    sigma2, lam = f["sigma2"], f["lam"]
    n_e = d.e_count
    se = np.full(d.n_entries, np.nan)
    if np.isfinite(sigma2):
        den = d.j_count + lam
        var_a = np.divide(sigma2, den, out=np.zeros(d.n_judges), where=den > 0)
        extra = np.bincount(d.entry, weights=var_a[d.judge], minlength=d.n_entries)
        nz = n_e > 0
        se[nz] = np.sqrt(sigma2 / n_e[nz] + extra[nz] / n_e[nz] ** 2)
    ones = np.ones(d.n_judges)
    r2, valid = _loo_noise(d, f["y"], a0, ones, ones)
    var_j, _ = _noise_per_judge(d, r2, valid)
    var_q = _entry_spread(f["z"], f["e_comp"], f["n_comp"])
    has_j = d.j_count > 0
    noise = np.where(has_j, np.sqrt(var_j), np.nan)
    rel = np.full(d.n_judges, np.nan)
    np.divide(var_q, var_q + var_j, out=rel, where=has_j & (var_q + var_j > 0))
    return Normalized(
        entry_score=f["quality"],
        n_sheets=n_e,
        sheet_score=sheet,
        method="bias",
        entry_se=se,
        sheet_weight=np.ones(d.score.size),
        judge_offset=a,
        judge_scale=np.where(has_j, 1.0, np.nan),
        judge_noise=noise,
        judge_reliability=rel,
        judge_n_sheets=d.j_count,
        n_iter=f["n_iter"],
        converged=f.get("converged", True),
        graph=_Graph(f["e_comp"], f["j_comp"], f["n_comp"], f["warning"]),
    )


def _signal_share(f, d: _Data):
    """Share of the variance of the additive fit's entry qualities that is not noise:
    ``1 - mean(sigma^2 / n_e) / var(z)`` (NaN when it cannot be told)."""
    var_z = _entry_spread(f["z"], f["e_comp"], f["n_comp"])
    sigma2 = f["sigma2"]
    n_e = d.e_count[d.e_count > 0]
    if not (np.isfinite(sigma2) and var_z > 0 and n_e.size):
        return float("nan")
    return float(1.0 - np.mean(sigma2 / n_e) / var_z)


def _unit_scales(s, has_j, j_comp, n_comp):
    """Scales clipped to [0.1, 10] and normalized to geometric mean 1 within each component
    (the model's unit)."""
    s = np.clip(s, 0.1, 10.0)
    logs = np.where(has_j, np.log(s), 0.0)
    g = np.exp(_on_component(j_comp, _group_mean(j_comp[has_j], logs[has_j], n_comp)[0]))
    return np.where(has_j, s / np.where(g > 0, g, 1.0), 1.0)


def _fit_bias_scale(
    d: _Data, shrinkage=None, scale_prior=3.0, noise_prior=3.0, max_iter=60, tol=1e-3
):
    f = _fit_bias(d, shrinkage, tol=1e-4)
    e_comp, j_comp, n_comp = f["e_comp"], f["j_comp"], f["n_comp"]
    j = d.judge
    y = f["y"]
    has_j = d.j_count > 0
    a = np.nan_to_num(f["a"])
    z = f["z"]
    s = np.ones(d.n_judges)
    w = np.ones(d.n_judges)
    sigma2 = f["sigma2"] if np.isfinite(f["sigma2"]) and f["sigma2"] > 0 else None
    r2, valid = _loo_noise(d, y, a, s, w)
    var_j, pool = _noise_per_judge(d, r2, valid, noise_prior)

    def loo():  # the leave-one-out residuals the next noise step reads (later: a solve's)
        return r2, valid

    if sigma2 is None:
        sigma2 = pool
    tau2 = sigma2 / f["lam"]  # offset variance from the additive fit
    lam_a = 1.0 / tau2  # ridge on offsets in the weighted objective (weights 1/sigma_j^2)
    w = 1.0 / var_j
    spread = d.cache.get("score_var")
    if spread is None:
        spread = d.cache["score_var"] = float(np.var(d.score))
    spread = float(np.sqrt(spread)) or 1.0
    signal = _signal_share(f, d)
    n_iter = 0
    converged = True
    fit_scales = not signal < SCALE_FIT_MIN_SIGNAL  # NaN (cannot tell): fit them
    omega = 1.0  # relaxation of the scale and noise steps (0.5 once the fit oscillates)
    steps = []  # the last moves of the state (scales and log noise variances)
    jumps = 0
    changes = []
    inner_tol = 1e-3
    for it in range(1, max_iter + 1 if fit_scales else 1):
        n_iter = it
        state = np.concatenate([s, np.log(var_j)])
        zz = np.nan_to_num(z)
        var_z = _entry_spread(z, e_comp, n_comp)
        # scale step: per-judge ridge regression of (y - a) on z, shrunk towards scale 1 with
        # `scale_prior` pseudo-sheets of typical spread at the pooled noise level
        prior = scale_prior * var_z / pool
        zs = _at_entries(d, zz, out=_work(d, "solve"))
        ya = np.take(a, j, out=_work(d, "loo_s"), mode="clip")
        np.subtract(y, ya, out=ya)
        ya *= zs
        sxy = np.bincount(j, weights=ya, minlength=d.n_judges)
        zs *= zs
        sxx = np.bincount(j, weights=zs, minlength=d.n_judges)
        s_new = np.ones(d.n_judges)
        np.divide(w * sxy + prior, w * sxx + prior, out=s_new, where=(w * sxx + prior) > 0)
        s_new = _unit_scales(s_new, has_j, j_comp, n_comp)
        s = s_new if omega == 1.0 else s + omega * (s_new - s)
        # noise step: leave-one-out residual variance per judge, shrunk towards the pool (the
        # residuals come with the last linear step: scales and weights of the last step)
        var_new, pool = _noise_per_judge(d, *loo(), noise_prior)
        var_j = (
            var_new
            if omega == 1.0
            else np.exp(np.log(var_j) + omega * (np.log(var_new) - np.log(var_j)))
        )
        # the state moves: in a 2-cycle (a judge who gives everyone nearly the same score,
        # pinned at the scale limit) relax the steps; in a slow geometric approach (one weakly
        # determined scale creeping) jump ahead by Aitken's extrapolation
        step = np.concatenate([s, np.log(var_j)]) - state
        steps = [*steps[-1:], step]
        if len(steps) == 2:
            n0, n1 = np.linalg.norm(steps[0]), np.linalg.norm(steps[1])
            if n0 > 0 and n1 > 0:
                cos = _dot(steps[0], steps[1]) / (n0 * n1)
                rho = n1 / n0
                if cos < -0.5:
                    # successive moves point back and forth: the map contracts along a
                    # direction with eigenvalue about -rho; a step of 1 / (1 + rho) of the
                    # move lands near its fixed point (0.5 for a 2-cycle)
                    lam_eig = (omega - 1.0 - rho) / omega  # of the map without relaxation
                    omega = float(np.clip(1.0 / (1.0 - lam_eig), 0.5, 1.0))
                elif cos > 0.9 and 0.5 < rho < 0.99 and jumps < 5:
                    jumps += 1
                    ahead = step * min(rho / (1.0 - rho), 20.0)
                    s = _unit_scales(s + ahead[: s.size], has_j, j_comp, n_comp)
                    var_j = np.exp(np.log(var_j) + ahead[s.size :])
                    steps = []
        w = 1.0 / var_j
        # linear step: offsets and qualities given scales and weights; early solves need not
        # be exact (the next step moves scales and weights anyway): tolerance follows the
        # change, down to 1e-6
        a, z_new, _, loo = _solve_offsets(d, y, s, w, lam_a, a0=a, tol=inner_tol, loo=True)
        a, z_new = _center_offsets(d, a, z_new, s, e_comp, j_comp, n_comp)
        a = np.nan_to_num(a)
        with np.errstate(invalid="ignore"):
            change = np.nanmax(np.abs(z_new - z)) if np.any(np.isfinite(z_new)) else 0.0
        z = z_new
        if not change > tol * spread:
            if inner_tol <= 1e-6:
                break
            inner_tol = 1e-6  # settled on a loose solve: confirm with an exact one
            continue
        inner_tol = float(np.clip(0.01 * change / spread, 1e-6, 1e-3))
        changes.append(change)
    else:
        # Out of iterations. A weakly determined scale (a judge who gives everyone nearly the
        # same score) can keep the fit creeping by hundredths of a point: when the last
        # moves are below 1 % of the scores' spread and shrinking, the result is settled for
        # any use (far inside its standard errors) and is reported as converged.
        last = changes[-3:]
        creeping = len(last) == 3 and last[-1] < 1e-2 * spread and last[-1] < last[0]
        if max_iter > 0 and fit_scales and not creeping:
            converged = False
    if not fit_scales:
        # the judges hardly agree: keep the scales at 1 and weigh sheets by the judges' noise
        a, z, _ = _solve_offsets(d, y, s, w, lam_a, a0=a, tol=1e-6)
        a, z = _center_offsets(d, a, z, s, e_comp, j_comp, n_comp)
        a = np.nan_to_num(a)
    quality = _on_component(e_comp, f["m_c"]) + z
    return {
        "a": np.where(has_j, a, np.nan),
        "s": np.where(has_j, s, np.nan),
        "w": w,
        "var_j": var_j,
        "z": z,
        "quality": quality,
        "lam_a": lam_a,
        "y": y,
        "n_iter": n_iter,
        "converged": converged,
        "signal": signal,
        "fit_scales": fit_scales,
        "e_comp": e_comp,
        "j_comp": j_comp,
        "n_comp": n_comp,
        "warning": f["warning"],
    }


def bias_scale(
    entry,
    judge,
    score,
    n_entries=None,
    *,
    n_judges=None,
    scale_min=None,
    scale_max=None,
    shrinkage=None,
    scale_prior=3.0,
    noise_prior=3.0,
    max_iter=60,
):
    """Judge offset, scale and noise: ``score = m + offset(judge) + scale(judge) * z(entry) +
    noise``, noise ~ N(0, sigma_judge^2); ``entry_score = m + z`` (``m`` = mean sheet score of
    the entry's group of linked judges).

    Fitted by weighted least squares (weights ``1/sigma_judge^2``) with alternating updates,
    starting from the ``bias`` fit:

    1. scale step: each judge's scale is a ridge regression of ``score - m - offset`` on ``z``,
       shrunk towards 1 by ``scale_prior`` pseudo-sheets and clipped to [0.1, 10]; scales are
       then normalized to geometric mean 1 within each group (the model's unit);
    2. noise step: each judge's noise variance is the mean squared residual of the judge's
       sheets against the consensus of the *other* sheets of the same entry (the judge's own
       sheet is left out, otherwise a judge would pull the consensus towards itself and look
       reliable), minus the part due to the uncertainty of that consensus, shrunk towards the
       pooled variance by ``noise_prior`` pseudo-sheets (and kept >= 5% of the pool, which caps
       a weight at 20x the pooled weight);
    3. linear step: offsets and qualities given scales and weights, by conjugate gradients,
       offsets shrunk towards 0 with the additive model's empirical-Bayes prior, then centred
       to sum to zero within each group.

    Iterates until no quality moves by more than 1e-3 of the score sd (``max_iter`` at most).
    The linear solves start loose (tolerance following the last move, down to 1e-6) and the
    leave-one-out residuals of step 2 come from the sums of the previous linear step. When the
    state oscillates (successive moves point back and forth) the scale and noise steps are
    relaxed to the step that cancels the oscillation (between half and full steps); when it
    creeps geometrically it jumps ahead by Aitken's extrapolation (at most 5 times); a fit
    still creeping by under 1 % of the score sd at ``max_iter`` counts as converged.
    When the judges hardly agree (``signal``, the quality share of the additive fit's entry
    variance, below ``SCALE_FIT_MIN_SIGNAL`` = 0.25) scales cannot be told from noise: they
    stay 1, sheets are weighed by the judges' noise, and the fit stops at once
    (``mostly_noise`` is then True).
    ``sheet_score = m + (score - m - offset) / scale`` is what one sheet says about the entry;
    ``sheet_weight = scale^2 / sigma^2`` and ``entry_score`` is the weighted mean. ``entry_se``
    is ``sqrt(1/D + sum_i (w s)^2 var(offset_j) / D^2)`` with ``D = sum w s^2`` over the
    entry's sheets.
    """
    d = _check(entry, judge, score, n_entries, n_judges, scale_min, scale_max)
    if d.score.size == 0:
        return _result(
            d,
            "bias_scale",
            np.full(d.n_entries, np.nan),
            d.score.copy(),
            np.full(d.n_entries, np.nan),
        )
    f = _fit_bias_scale(d, shrinkage, scale_prior, noise_prior, max_iter)
    j = d.judge
    a0 = np.nan_to_num(f["a"])
    s0 = np.nan_to_num(f["s"], nan=1.0)
    w = f["w"]
    m_sheet = d.score - f["y"]
    sheet = np.take(a0, j, mode="clip")  # m + (y - a0[j]) / s0[j]
    np.subtract(f["y"], sheet, out=sheet)
    sheet /= np.take(s0, j, out=_work(d, "solve"), mode="clip")
    sheet += m_sheet
    wss = w * s0 * s0
    weight = np.take(wss, j, mode="clip")
    D = _entry_sums(d, wss)
    var_a = 1.0 / (w * d.j_count + f["lam_a"])
    # weight^2 / s0^2 var_a per sheet: a per-judge value, computed per judge and summed
    extra = _entry_sums(d, wss * wss / s0**2 * var_a)
    se = np.full(d.n_entries, np.nan)
    nz = D > 0
    se[nz] = np.sqrt(1.0 / D[nz] + extra[nz] / D[nz] ** 2)
    has_j = d.j_count > 0
    var_q = _entry_spread(f["z"], f["e_comp"], f["n_comp"])
    sig = s0 * s0 * var_q
    rel = np.full(d.n_judges, np.nan)
    np.divide(sig, sig + f["var_j"], out=rel, where=has_j & (sig + f["var_j"] > 0))
    return Normalized(
        entry_score=f["quality"],
        n_sheets=d.e_count,
        sheet_score=sheet,
        method="bias_scale",
        entry_se=se,
        sheet_weight=weight,
        judge_offset=f["a"],
        judge_scale=f["s"],
        judge_noise=np.where(has_j, np.sqrt(f["var_j"]), np.nan),
        judge_reliability=rel,
        judge_n_sheets=d.j_count,
        n_iter=f["n_iter"],
        converged=f.get("converged", True),
        signal=f["signal"],
        graph=_Graph(f["e_comp"], f["j_comp"], f["n_comp"], f["warning"]),
    )


_FUNCS = {
    "raw": raw,
    "median": median,
    "zscore": zscore,
    "rank": rank,
    "bias": bias,
    "bias_scale": bias_scale,
}


def normalize(
    entry,
    judge,
    score,
    method: str = DEFAULT_METHOD,
    n_entries=None,
    *,
    n_judges=None,
    scale_min=None,
    scale_max=None,
    **options,
) -> Normalized:
    """Normalize sheet totals with the named method (one of ``METHODS``).

    ``n_entries``/``n_judges`` fix the lengths of the per-entry/per-judge arrays (defaults:
    highest index + 1). ``scale_min``/``scale_max``, when given, refuse scores outside the
    rubric's range with a ValueError (NaN and infinite scores are always refused). Extra
    keyword ``options`` go to the method (e.g. ``shrinkage`` for ``bias``).
    """
    try:
        func = _FUNCS[method]
    except KeyError:
        raise ValueError(
            f"unknown normalization method {method!r}; choose from {METHODS}"
        ) from None
    result = func(
        entry,
        judge,
        score,
        n_entries=n_entries,
        n_judges=n_judges,
        scale_min=scale_min,
        scale_max=scale_max,
        **options,
    )
    if scale_min is None and scale_max is None:
        return result
    return replace(
        result,
        scale_min=None if scale_min is None else float(scale_min),
        scale_max=None if scale_max is None else float(scale_max),
    )


# --------------------------------------------------------------------------------------------
# Posterior of the judge model (Gibbs sampling): see judging.uncertainty for the model
# --------------------------------------------------------------------------------------------

MODELS = ("bias_scale", "bias", "raw")
ACROSS = ("refuse", "assume_equal")


def _index(a, name):
    arr = np.asarray(a)
    if (
        arr.size
        and not np.issubdtype(arr.dtype, np.integer)
        and not (
            np.issubdtype(arr.dtype, np.floating)
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        )
    ):
        raise ValueError(f"{name} must hold integer indices")
    if arr.size and (np.max(arr) > np.iinfo(np.intp).max or np.min(arr) < 0):
        raise ValueError(f"{name} indices must be non-negative (and not astronomically large)")
    return arr.astype(np.intp, copy=False)


def check_sheets(
    entry, judge, score, n_entries=None, n_judges=None, scale_min=None, scale_max=None
):
    """Validated ``(entry, judge, score, n_entries, n_judges)``; ValueError on bad input.

    Refused: arrays of different lengths; non-integer or negative indices; an index at or
    beyond ``n_entries``/``n_judges``, or, without them, beyond ``10 * n_sheets +
    MAX_FREE_INDEX`` (checked before anything is allocated); NaN, infinite or overflowing
    scores (beyond 1e12 in size); scores outside ``[scale_min, scale_max]``; two sheets of the
    same judge on the same entry (they would count twice).
    """
    entry = _index(entry, "entry")
    judge = _index(judge, "judge")
    with np.errstate(over="ignore"):
        try:
            score = np.asarray(score, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise ValueError("scores must be numbers") from None
    if not (entry.shape == judge.shape == score.shape) or entry.ndim != 1:
        raise ValueError("entry, judge and score must be 1-d arrays of the same length")
    n = score.size
    bad = ~np.isfinite(score) | (np.abs(np.nan_to_num(score)) > 1e12)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(
            f"scores must be finite numbers of sensible size: {rows.size} sheet(s) "
            f"are NaN, infinite or beyond 1e12, first at rows {rows[:5].tolist()}"
        )
    lo = -np.inf if scale_min is None else float(scale_min)
    hi = np.inf if scale_max is None else float(scale_max)
    if not lo < hi:
        raise ValueError("scale_min must be below scale_max")
    out = (score < lo) | (score > hi)
    if out.any():
        rows = np.flatnonzero(out)
        raise ValueError(
            f"{rows.size} score(s) lie outside the rubric's range [{lo:g}, {hi:g}], "
            f"first at rows {rows[:5].tolist()}"
        )
    limit = 10 * n + MAX_FREE_INDEX
    for name, idx, given in (("entry", entry, n_entries), ("judge", judge, n_judges)):
        top = int(idx.max()) if n else -1
        if given is not None:
            if given < 0:
                raise ValueError(f"n_{name}s must be non-negative")
            if top >= given:
                raise ValueError(f"{name} index {top} is out of range for n_{name}s={given}")
        elif top >= limit:
            raise ValueError(
                f"{name} index {top} is far beyond the number of sheets ({n}): pass positions "
                f"0..n-1 (not database ids), or give n_{name}s"
            )
    n_entries = int(entry.max()) + 1 if n_entries is None and n else int(n_entries or 0)
    n_judges = int(judge.max()) + 1 if n_judges is None and n else int(n_judges or 0)
    _refuse_duplicates(entry, judge, n_judges)
    return entry, judge, score, n_entries, n_judges


# --------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------


def _std_normal_above(rng, alpha):
    """Draws of a standard normal conditioned on ``x >= alpha`` (vectorized rejection: plain
    normal draws where ``alpha < 0.5``, Robert's (1995) shifted-exponential proposal in the
    tail; both accept at least about half the time)."""
    out = np.empty(alpha.size)
    todo = np.arange(alpha.size)
    for _ in range(200):
        if not todo.size:
            break
        a = alpha[todo]
        tail = a >= 0.5
        x = rng.standard_normal(todo.size)
        ok = ~tail & (x >= a)
        lam = 0.5 * (a + np.sqrt(a * a + 4.0))
        xe = a + rng.exponential(1.0, todo.size) / lam
        ok_t = tail & (rng.random(todo.size) <= np.exp(-0.5 * (xe - lam) ** 2))
        out[todo[ok]] = x[ok]
        out[todo[ok_t]] = xe[ok_t]
        todo = todo[~(ok | ok_t)]
    out[todo] = alpha[todo]
    return out


def _inv_gamma(rng, shape, scale):
    """InvGamma(shape, scale) draws (``scale / Gamma(shape, 1)``), elementwise."""
    return scale / rng.gamma(shape, 1.0, np.shape(scale) or None)


@dataclass(frozen=True)
class Posterior:
    """Posterior draws of the judge model (see the module docstring).

    score_draws: (n_draws, n_entries) float32, entry scores on the rubric's scale, unclipped
        (NaN columns for entries without sheets).
    offset, scale, noise: (n_judges,) posterior means of each judge's offset (points above
        the group's average sheet), scale (points per point of quality) and noise sd (points);
        NaN for judges without sheets.
    offset_draws, scale_draws, noise_draws: (n_draws, n_judges) float32 draws of the same.
    tau_z: posterior mean sd of the entries' quality (points); tau2_draws its draws (squared).
    entry_component, judge_component, n_components: the groups of linked judges.
    n_sheets: (n_entries,) sheets per entry; judge_n_sheets: (n_judges,).
    censored: number of sheets at the rubric's bounds treated as censored.
    rhat: largest split-R-hat of the standardized entry scores (99th percentile over 100
        entries or more; 1 = settled, > 1.1 = the chain has not settled); converged:
        rhat <= 1.1.
    model, across, n_sweeps, n_burn: settings used.
    n_blocks: weakly linked panels found (:func:`weak_blocks`), counting every group of linked
        judges as one at least; more than ``n_components`` means the panel-aware prior is on.
    """

    score_draws: np.ndarray
    offset: np.ndarray
    scale: np.ndarray
    noise: np.ndarray
    offset_draws: np.ndarray
    scale_draws: np.ndarray
    noise_draws: np.ndarray
    tau_z: float
    tau2_draws: np.ndarray
    entry_component: np.ndarray
    judge_component: np.ndarray
    n_components: int
    n_sheets: np.ndarray
    judge_n_sheets: np.ndarray
    censored: int
    rhat: float
    converged: bool
    model: str
    across: str
    n_sweeps: int
    n_burn: int
    n_blocks: int = 0


def default_sweeps(n_sheets: int) -> int:
    """Sweeps saved after burn-in: 1,600 for small competitions, fewer for big ones (about
    1e7 sheet-updates, at least 250): 666 for the national round (15,000 sheets), 250 for
    250,000 sheets. Enough for place intervals and probabilities to about +-0.02."""
    return int(np.clip(1e7 / max(n_sheets, 1), 250, 1600))


def sample_posterior(
    entry,
    judge,
    score,
    *,
    n_entries=None,
    n_judges=None,
    model="bias_scale",
    scale_min=None,
    scale_max=None,
    across="assume_equal",
    n_draws=None,
    n_burn=None,
    seed=0,
    checked=False,
    blocks=True,
) -> Posterior:
    """Gibbs sampler of the judge model; returns :class:`Posterior` (deterministic for a
    ``seed``). ``n_draws`` saved sweeps (default :func:`default_sweeps`) after ``n_burn``
    (default a third of ``n_draws``, at least 100). ``checked=True`` skips :func:`check_sheets`
    (the caller did it). ``blocks=False`` turns the panel-aware prior off (every entry
    exchangeable, as before 2026-12-03; for comparison)."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {MODELS}")
    if across not in ACROSS:
        raise ValueError(f"across must be one of {ACROSS}")
    if not checked:
        entry, judge, score, n_entries, n_judges = check_sheets(
            entry, judge, score, n_entries, n_judges, scale_min, scale_max
        )
    E, J = int(n_entries), int(n_judges)
    n = score.size
    if n_draws is None:
        n_draws = default_sweeps(n)
    n_draws = max(int(n_draws), 4)
    if n_burn is None:
        n_burn = max(n_draws // 3, 100)
    rng = np.random.default_rng(seed)
    e, j = entry, judge
    e_comp, j_comp, n_comp = judge_graph_components(e, j, E, J)
    e_count = np.bincount(e, minlength=E)
    j_count = np.bincount(j, minlength=J).astype(float)
    has_e, has_j = e_count > 0, j_count > 0
    e_blk, n_blk = None, n_comp
    if blocks and n > 0 and model != "raw":
        e_blk, j_blk, n_blk = weak_blocks(e, j, E, J)
    use_blocks = n_blk > n_comp
    out_shape = (n_draws, E)
    if n == 0:
        nanj = np.full(J, np.nan)
        return Posterior(
            np.full(out_shape, np.nan, np.float32),
            nanj,
            nanj,
            nanj,
            np.full((n_draws, J), np.nan, np.float32),
            np.full((n_draws, J), np.nan, np.float32),
            np.full((n_draws, J), np.nan, np.float32),
            float("nan"),
            np.full(n_draws, np.nan),
            e_comp,
            j_comp,
            0,
            e_count,
            j_count.astype(np.intp),
            0,
            float("nan"),
            True,
            model,
            across,
            n_draws,
            n_burn,
        )

    # constants: the group's mean sheet, the data's spread
    sheet_comp = e_comp[e]
    m_c = np.bincount(sheet_comp, weights=score, minlength=n_comp) / np.bincount(
        sheet_comp, minlength=n_comp
    )
    r0 = score - m_c[sheet_comp]  # centred scores (observed)
    v = float(np.var(score))
    if not v > 0:
        v = 1.0
    cen_hi = np.flatnonzero(score >= scale_max) if scale_max is not None else np.zeros(0, int)
    cen_lo = np.flatnonzero(score <= scale_min) if scale_min is not None else np.zeros(0, int)
    # a bound that every sheet sits on carries no information: do not censor then
    if cen_hi.size == n:
        cen_hi = cen_hi[:0]
    if cen_lo.size == n:
        cen_lo = cen_lo[:0]
    bound_hi = (scale_max - m_c[sheet_comp[cen_hi]]) if cen_hi.size else None
    bound_lo = (scale_min - m_c[sheet_comp[cen_lo]]) if cen_lo.size else None

    # initial state: offsets = judge means, z = entry means of what is left
    jm = np.bincount(j, weights=r0, minlength=J) / np.maximum(j_count, 1)
    a = jm.copy() if model != "raw" else np.zeros(J)
    s = np.ones(J)
    ez = np.bincount(e, weights=r0 - a[j], minlength=E) / np.maximum(e_count, 1)
    z = ez.copy()
    sig2 = np.full(J, 0.3 * v)
    tau2_z, tau2_a, tau2_s, s0 = 0.5 * v, 0.1 * v, 0.09, 0.3 * v
    r = r0.copy()
    blk_moves = []
    if use_blocks:
        blk_n = np.maximum(np.bincount(e_blk[has_e], minlength=n_blk), 1).astype(float)
        mu_blk = np.bincount(e_blk[has_e], weights=z[has_e], minlength=n_blk) / blk_n
        sheet_je, sheet_eb = j_blk[j], e_blk[e]
        cross = sheet_je != sheet_eb
        blk_moves = []  # only for blocks that few sheets link: the plain sweeps mix the rest
        blk_sheets = np.bincount(sheet_eb, minlength=n_blk)
        for b_ in range(n_blk):
            i_j = np.flatnonzero(cross & (sheet_je == b_))
            i_e = np.flatnonzero(cross & (sheet_eb == b_))
            if i_j.size + i_e.size <= 0.1 * blk_sheets[b_]:
                blk_moves.append(
                    (b_, np.flatnonzero(j_blk == b_), np.flatnonzero(e_blk == b_), i_j, i_e)
                )

    keep_z = np.empty(out_shape, np.float32)
    keep_a = np.empty((n_draws, J), np.float32)
    keep_s = np.empty((n_draws, J), np.float32)
    keep_sig = np.empty((n_draws, J), np.float32)
    keep_tau2 = np.empty(n_draws)
    jn_w = np.bincount(j_comp[has_j], weights=j_count[has_j], minlength=n_comp)
    e_n = np.bincount(e_comp[has_e], minlength=n_comp).astype(float)
    nu0 = 4.0
    total = n_burn + n_draws
    for sweep in range(total):
        sj, aj = s[j], a[j]
        # 1. latent scores of censored sheets (truncated normal beyond the bound)
        if bound_hi is not None:
            idx = cen_hi
            mu = aj[idx] + sj[idx] * z[e[idx]]
            sd = np.sqrt(sig2[j[idx]])
            r[idx] = mu + sd * _std_normal_above(rng, (bound_hi - mu) / sd)
        if bound_lo is not None:
            idx = cen_lo
            mu = aj[idx] + sj[idx] * z[e[idx]]
            sd = np.sqrt(sig2[j[idx]])
            r[idx] = mu - sd * _std_normal_above(rng, (mu - bound_lo) / sd)
        # 2. entries: z_e | rest, conjugate normal
        prec_j = 1.0 / sig2
        wsj = (s * prec_j)[j]
        P = np.bincount(e, weights=wsj * sj, minlength=E) + 1.0 / tau2_z
        b = np.bincount(e, weights=wsj * (r - aj), minlength=E)
        if use_blocks:
            b[has_e] += mu_blk[e_blk[has_e]] / tau2_z
        z = b / P + rng.standard_normal(E) / np.sqrt(P)
        z[~has_e] = 0.0
        if use_blocks:  # block means: flat prior, z_e ~ N(mu_block, tau_z^2)
            zs = np.bincount(e_blk[has_e], weights=z[has_e], minlength=n_blk)
            mu_blk = zs / blk_n + rng.standard_normal(n_blk) * np.sqrt(tau2_z / blk_n)
        ze = z[e]
        # 3. judges: (offset, scale) | rest, a 2x2 conjugate regression per judge
        if model == "bias_scale":
            sx = np.bincount(j, weights=ze, minlength=J)
            sxx = np.bincount(j, weights=ze * ze, minlength=J)
            sr = np.bincount(j, weights=r, minlength=J)
            sxr = np.bincount(j, weights=ze * r, minlength=J)
            p11 = j_count * prec_j + 1.0 / tau2_a
            p12 = sx * prec_j
            p22 = sxx * prec_j + 1.0 / tau2_s
            b1 = sr * prec_j
            b2 = sxr * prec_j + 1.0 / tau2_s
            det = p11 * p22 - p12 * p12
            m1 = (p22 * b1 - p12 * b2) / det
            m2 = (p11 * b2 - p12 * b1) / det
            l11 = np.sqrt(p11)
            l21 = p12 / l11
            l22 = np.sqrt(np.maximum(p22 - l21 * l21, 1e-300))
            x2 = rng.standard_normal(J) / l22
            x1 = (rng.standard_normal(J) - l21 * x2) / l11
            a = m1 + x1
            s = np.maximum(m2 + x2, 0.02)  # a judge's scale stays positive
        elif model == "bias":
            p11 = j_count * prec_j + 1.0 / tau2_a
            b1 = np.bincount(j, weights=r - ze, minlength=J) * prec_j
            a = b1 / p11 + rng.standard_normal(J) / np.sqrt(p11)
        a[~has_j] = 0.0
        s[~has_j] = 1.0
        if blk_moves:  # move a block's entries up and its judges' offsets down together
            for blk, bj, be, i_j, i_e in blk_moves:
                res = r[i_j] - a[j[i_j]] - s[j[i_j]] * z[e[i_j]]
                res_e = r[i_e] - a[j[i_e]] - s[j[i_e]] * z[e[i_e]]
                c_j, c_e = -s[j[i_j]], s[j[i_e]]
                pj, pe = 1.0 / sig2[j[i_j]], 1.0 / sig2[j[i_e]]
                sb = s[bj]
                prec = (
                    float(np.dot(c_j * c_j, pj) + np.dot(c_e * c_e, pe))
                    + float(np.dot(sb, sb)) / tau2_a
                )
                lin = (
                    float(np.dot(c_j * res, pj) + np.dot(c_e * res_e, pe))
                    + float(np.dot(a[bj], sb)) / tau2_a
                )
                delta = lin / prec + rng.standard_normal() / np.sqrt(prec)
                a[bj] -= sb * delta
                z[be] += delta
                mu_blk[blk] += delta
            ze = z[e]
        # 4. noise per judge, inverse gamma around the pooled level s0
        res = r - a[j] - s[j] * ze
        ss = np.bincount(j, weights=res * res, minlength=J)
        sig2 = _inv_gamma(rng, 0.5 * (nu0 + j_count), 0.5 * (nu0 * s0 + ss))
        sig2 = np.maximum(sig2, 1e-8 * v)
        # 5. hyperparameters
        nj = int(has_j.sum())
        s0 = rng.gamma(0.5 * nu0 * nj + 1.0, 1.0) / (
            0.5 * nu0 * np.sum(1.0 / sig2[has_j]) + 1.0 / v
        )
        ne = int(has_e.sum())
        zd = z - mu_blk[np.maximum(e_blk, 0)] * has_e if use_blocks else z
        tau2_z = _inv_gamma(rng, 1.0 + 0.5 * ne, 0.05 * v + 0.5 * float(np.dot(zd, zd)))
        if model != "raw":
            tau2_a = _inv_gamma(rng, 1.0 + 0.5 * nj, 0.01 * v + 0.5 * float(np.dot(a, a)))
        if model == "bias_scale":
            ds = s[has_j] - 1.0
            tau2_s = _inv_gamma(rng, 2.0 + 0.5 * nj, 0.1 + 0.5 * float(np.dot(ds, ds)))
        if sweep >= n_burn:
            k = sweep - n_burn
            # centre: sheet-weighted offsets sum to 0 within each group (a shift of z by
            # delta moves the offsets by -scale * delta; the predictions stay)
            a_sum = np.bincount(j_comp[has_j], weights=(j_count * a)[has_j], minlength=n_comp)
            s_sum = np.bincount(j_comp[has_j], weights=(j_count * s)[has_j], minlength=n_comp)
            delta = a_sum / np.where(s_sum > 0, s_sum, 1.0)
            zc = z + np.where(has_e, delta[np.maximum(e_comp, 0)], 0.0)
            ac = a - s * np.where(has_j, delta[np.maximum(j_comp, 0)], 0.0)
            level = m_c
            if across == "assume_equal" and n_comp > 1:
                zmean = np.bincount(e_comp[has_e], weights=zc[has_e], minlength=n_comp) / e_n
                grand = float(np.sum(m_c * e_n) / e_n.sum())
                shift = rng.standard_normal(n_comp) * np.sqrt(tau2_z / e_n)
                # group c's level becomes the common level; its offsets absorb the difference
                move = shift - zmean
                zc = zc + np.where(has_e, move[np.maximum(e_comp, 0)], 0.0)
                ac = ac + (m_c - grand)[np.maximum(j_comp, 0)] - s * move[np.maximum(j_comp, 0)]
                level = np.full(n_comp, grand)
            keep_z[k] = np.where(has_e, zc + level[np.maximum(e_comp, 0)], np.nan)
            keep_a[k] = np.where(has_j, ac, np.nan)
            keep_s[k] = np.where(has_j, s, np.nan)
            keep_sig[k] = np.where(has_j, np.sqrt(sig2), np.nan)
            keep_tau2[k] = tau2_z
    del jn_w
    rhat = _split_rhat(keep_z[:, has_e], e_comp[has_e], n_comp)
    with np.errstate(invalid="ignore"):
        return Posterior(
            score_draws=keep_z,
            offset=np.where(has_j, keep_a.mean(axis=0, dtype=float), np.nan),
            scale=np.where(has_j, keep_s.mean(axis=0, dtype=float), np.nan),
            noise=np.where(has_j, keep_sig.mean(axis=0, dtype=float), np.nan),
            offset_draws=keep_a,
            scale_draws=keep_s,
            noise_draws=keep_sig,
            tau_z=float(np.sqrt(keep_tau2).mean()),
            tau2_draws=keep_tau2,
            entry_component=e_comp,
            judge_component=j_comp,
            n_components=int(n_comp),
            n_sheets=e_count,
            judge_n_sheets=j_count.astype(np.intp),
            censored=int(cen_hi.size + cen_lo.size),
            rhat=rhat,
            converged=bool(rhat <= 1.1),
            model=model,
            across=across,
            n_sweeps=n_draws,
            n_burn=n_burn,
            n_blocks=int(n_blk),
        )


def _split_rhat(draws, comp, n_comp):
    """Largest split-R-hat (Gelman et al.; the 99th percentile over 100 entries or more) over
    entries of the draws standardized within
    each draw and group (rank-invariant: a common shift or stretch of a group's scores, which
    the model cannot pin down tightly, does not count as unsettled)."""
    D, m = draws.shape
    if m == 0 or D < 8:
        return float("nan") if m == 0 else 1.0
    x = draws.astype(float)
    cnt = np.bincount(comp, minlength=n_comp).astype(float)
    mean = np.zeros((D, n_comp))
    sq = np.zeros((D, n_comp))
    for c in range(n_comp) if n_comp <= 64 else ():
        cols = comp == c
        mean[:, c] = x[:, cols].mean(axis=1)
        sq[:, c] = x[:, cols].var(axis=1)
    if n_comp > 64:  # many tiny groups: standardize overall instead
        mean[:] = x.mean(axis=1, keepdims=True)
        sq[:] = x.var(axis=1, keepdims=True)
    sd = np.sqrt(sq)
    sd[sd <= 0] = 1.0
    x = (x - mean[:, comp]) / sd[:, comp]
    half = D // 2
    chains = np.stack([x[:half], x[half : 2 * half]])  # (2, half, m)
    cm = chains.mean(axis=1)
    cv = chains.var(axis=1, ddof=1)
    W = cv.mean(axis=0)
    B = half * cm.var(axis=0, ddof=1)
    var_plus = (half - 1) / half * W + B / half
    ok = (W > 1e-12) & (cnt[comp] > 1)
    if not ok.any():
        return 1.0
    r = np.sqrt(var_plus[ok] / W[ok])
    # the largest of thousands of R-hats exceeds 1.1 by chance alone: take the 99th percentile
    return float(r.max() if r.size < 100 else np.quantile(r, 0.99))
