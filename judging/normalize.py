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
priors in ``judging.uncertainty``).

This module is the public face: every name above is imported from here (benchmarks and outside
tools rely on ``judging.normalize``). The code lives in pure-numpy modules beside it, one per
method family (each imports only numpy, the standard library and its siblings):

- ``judging.normalize_core``: :class:`Normalized`, the input checks, small helpers;
- ``judging.normalize_graph``: groups of linked judges (:func:`judge_graph_components`) and
  weakly linked panels (:func:`weak_blocks`);
- ``judging.normalize_simple``: ``raw``, ``median``, ``zscore``, ``rank``;
- ``judging.normalize_sums``: the sums over sheets of the iterative fits and their buffers;
- ``judging.normalize_bias``: ``bias`` and the weighted least-squares solve it shares;
- ``judging.normalize_bias_scale``: ``bias_scale`` (the default);
- ``judging.normalize_posterior``: :func:`check_sheets` and :func:`sample_posterior`.
"""

from __future__ import annotations

from dataclasses import replace

from judging.normalize_bias import bias
from judging.normalize_bias_scale import SCALE_FIT_MIN_SIGNAL, bias_scale
from judging.normalize_core import MAX_FREE_INDEX, MOSTLY_NOISE, Normalized
from judging.normalize_graph import judge_graph_components, weak_blocks
from judging.normalize_posterior import (
    ACROSS,
    MODELS,
    Posterior,
    check_sheets,
    default_sweeps,
    sample_posterior,
)
from judging.normalize_simple import median, rank, raw, zscore

__all__ = [
    "ACROSS",
    "DEFAULT_METHOD",
    "MAX_FREE_INDEX",
    "METHODS",
    "MODELS",
    "MOSTLY_NOISE",
    "SCALE_FIT_MIN_SIGNAL",
    "Normalized",
    "Posterior",
    "bias",
    "bias_scale",
    "check_sheets",
    "default_sweeps",
    "judge_graph_components",
    "median",
    "normalize",
    "rank",
    "raw",
    "sample_posterior",
    "weak_blocks",
    "zscore",
]

METHODS = ("raw", "median", "zscore", "rank", "bias", "bias_scale")
DEFAULT_METHOD = "bias_scale"


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
