"""Several scored stages (desk, presentation, field, ...) combined into one score: the
weighted combination with its rule for missing stages (:func:`combine_stages`), the linear
map onto a common mean and spread (:func:`standardize_stages`) and each stage's effective
weight (:func:`stage_influence`).

Pure numpy; no Flask, no database. Imported through ``judging.ranking``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    w = _unit_weights(scores, weights)
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


def _unit_weights(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The stage weights scaled to sum 1, after checking them and the scores' values."""
    if np.any(~np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("stage weights must be finite, non-negative and not all zero")
    if np.any(np.isinf(scores)):
        raise ValueError("stage scores must be finite or NaN (missing)")
    return weights / weights.sum()


def _stage_stats(scores, weights):
    scores = np.asarray(scores, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if scores.ndim != 2 or weights.shape != (scores.shape[1],):
        raise ValueError("scores must be (n_entries, n_stages) with one weight per stage")
    w = _unit_weights(scores, weights)
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
