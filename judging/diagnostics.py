"""Judge diagnostics: leniency/severity, spread, agreement with the panel, outliers, and the
inter-rater reliability of a stage.

Pure numpy (plus the sibling module ``judging.normalize``); vectorized over sheets and judges.
Same input as ``judging.normalize``: one row per sheet with ``entry``, ``judge``, ``score``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judging.normalize import DEFAULT_METHOD, Normalized, normalize


@dataclass(frozen=True)
class JudgeDiagnostics:
    """Per-judge (n_judges,) and per-sheet (n_sheets,) diagnostics of one stage.

    offset: points above the panel for an average entry (negative = harsh), from the fit.
    scale: spread relative to the panel (1 = like the panel; NaN if the method has none).
    noise: noise sd of the judge's sheets (points; NaN if the method has none).
    reliability: share of the judge's score variance due to the entries' quality, in [0, 1].
    n_sheets: sheets per judge.
    agreement: Pearson correlation between the judge's scores and the consensus of the *other*
        judges on the same entries (NaN with fewer than 3 comparable sheets or no spread).
    offset_z: robust z-score of the offset among the judges (median / MAD; sd if MAD is 0).
    harsh, lenient: offset_z below -offset_limit / above +offset_limit.
    low_agreement: agreement below ``min_agreement``.
    noisy: noise above ``noise_ratio`` times the median noise of the judges.
    outlier: any of the four flags.
    sheet_residual: each sheet's score minus what the model predicts from the other judges'
        consensus, in units of the judge's noise sd (NaN when the entry has no other sheet).
    sheet_outlier: |sheet_residual| > sheet_limit.
    alpha: Krippendorff's alpha (interval metric) of the raw scores of the stage.
    method: the normalization method the offsets come from.
    """

    offset: np.ndarray
    scale: np.ndarray
    noise: np.ndarray
    reliability: np.ndarray
    n_sheets: np.ndarray
    agreement: np.ndarray
    offset_z: np.ndarray
    harsh: np.ndarray
    lenient: np.ndarray
    low_agreement: np.ndarray
    noisy: np.ndarray
    outlier: np.ndarray
    sheet_residual: np.ndarray
    sheet_outlier: np.ndarray
    alpha: float
    method: str


def krippendorff_alpha(entry, judge, score) -> float:
    """Krippendorff's alpha for interval data with missing cells (entries = units, judges =
    coders; a judge who did not score an entry is a missing cell).

    ``alpha = 1 - D_o / D_e`` over the pairable values (those of entries with at least two
    sheets, n of them): observed disagreement
    ``D_o = (1/n) sum_u (1/(m_u - 1)) sum_{i != k in u} (x_i - x_k)^2`` and expected
    disagreement ``D_e = (1/(n(n-1))) sum_{i != k} (x_i - x_k)^2`` over all pairable values.
    Sums over ordered pairs use ``sum_{i != k} (x_i - x_k)^2 = 2 (m sum x^2 - (sum x)^2)``, so
    everything is a few ``np.bincount``. 1 = perfect agreement, 0 = no better than chance.
    NaN when no entry has two sheets, or all pairable values are equal.
    ``judge`` is accepted for symmetry with the other functions; alpha does not depend on it.
    """
    entry = np.asarray(entry, dtype=np.intp)
    x = np.asarray(score, dtype=float)
    if entry.shape != x.shape or np.asarray(judge).shape != x.shape:
        raise ValueError("entry, judge and score must have the same length")
    if x.size == 0:
        return float("nan")
    if not np.all(np.isfinite(x)):
        raise ValueError("scores must be finite numbers")
    m_u = np.bincount(entry)
    pairable = m_u[entry] >= 2
    if not pairable.any():
        return float("nan")
    e, v = entry[pairable], x[pairable]
    n_units = m_u.size
    m = np.bincount(e, minlength=n_units).astype(float)
    s1 = np.bincount(e, weights=v, minlength=n_units)
    s2 = np.bincount(e, weights=v * v, minlength=n_units)
    n = float(v.size)
    has = m >= 2
    within = 2.0 * (m[has] * s2[has] - s1[has] ** 2) / (m[has] - 1.0)
    d_o = within.sum() / n
    # centre before the expected-disagreement sum to avoid cancellation
    c = v - v.mean()
    d_e = 2.0 * (n * np.vecdot(c, c) - c.sum() ** 2) / (n * (n - 1.0))
    if d_e <= 1e-12 * max(float(np.vecdot(v, v)), 1e-300):
        return float("nan")
    return float(1.0 - d_o / d_e)


def agreement_with_others(entry, judge, score, sheet_score=None, sheet_weight=None, n_judges=None):
    """Per judge: Pearson correlation of the judge's raw scores with the consensus of the other
    judges on the same entries (the weighted mean of the other sheets' normalized scores
    ``sheet_score``, default the raw scores). NaN for a judge with fewer than 3 sheets that have
    another sheet on the same entry, or without spread."""
    entry = np.asarray(entry, dtype=np.intp)
    judge = np.asarray(judge, dtype=np.intp)
    y = np.asarray(score, dtype=float)
    x = y if sheet_score is None else np.asarray(sheet_score, dtype=float)
    w = np.ones_like(x) if sheet_weight is None else np.asarray(sheet_weight, dtype=float)
    if n_judges is None:
        n_judges = int(judge.max()) + 1 if judge.size else 0
    out = np.full(n_judges, np.nan)
    if y.size == 0:
        return out
    n_e = int(entry.max()) + 1
    wsum = np.bincount(entry, weights=w, minlength=n_e)
    wx = np.bincount(entry, weights=w * x, minlength=n_e)
    rest = wsum[entry] - w
    ok = rest > 1e-12 * np.maximum(wsum[entry], 1e-300)
    j = judge[ok]
    a = y[ok]
    b = (wx[entry] - w * x)[ok] / rest[ok]
    cnt = np.bincount(j, minlength=n_judges).astype(float)
    sa = np.bincount(j, weights=a, minlength=n_judges)
    sb = np.bincount(j, weights=b, minlength=n_judges)
    safe = np.maximum(cnt, 1.0)
    ma, mb = sa / safe, sb / safe
    da, db = a - ma[j], b - mb[j]
    saa = np.bincount(j, weights=da * da, minlength=n_judges)
    sbb = np.bincount(j, weights=db * db, minlength=n_judges)
    sab = np.bincount(j, weights=da * db, minlength=n_judges)
    den = np.sqrt(saa * sbb)
    good = (cnt >= 3) & (den > 1e-12 * np.maximum(np.sqrt(saa + sbb), 1e-300) ** 2)
    np.divide(sab, den, out=out, where=good)
    return np.clip(out, -1.0, 1.0, out=out, where=good)


def _robust_z(values):
    """(v - median) / (1.4826 * MAD) over the finite values; sd instead of MAD if MAD is 0."""
    out = np.full(values.shape, np.nan)
    ok = np.isfinite(values)
    if ok.sum() < 3:
        return out
    v = values[ok]
    med = np.median(v)
    spread = 1.4826 * np.median(np.abs(v - med))
    if spread <= 1e-12:
        spread = float(np.std(v))
    if spread <= 1e-12:
        out[ok] = 0.0
        return out
    out[ok] = (v - med) / spread
    return out


def judge_diagnostics(
    entry,
    judge,
    score,
    method: str = DEFAULT_METHOD,
    n_entries=None,
    *,
    n_judges=None,
    result: Normalized | None = None,
    offset_limit=2.5,
    min_agreement=0.3,
    noise_ratio=2.0,
    sheet_limit=3.5,
) -> JudgeDiagnostics:
    """Diagnostics of every judge of one stage.

    Offsets, scales, noise and reliability come from the normalization ``method`` (or from a
    ready ``result`` of ``judging.normalize.normalize`` on the same sheets); ``bias_scale``
    gives all four, ``bias`` offsets and noise. Flags are relative to the panel: a judge is
    harsh/lenient when the offset's robust z-score (median/MAD over judges) is beyond
    ``offset_limit``; noisy when the noise sd exceeds ``noise_ratio`` times the judges' median;
    in low agreement when the correlation with the other judges' consensus is below
    ``min_agreement``. A sheet is an outlier when it sits more than ``sheet_limit`` noise sds
    from the other judges' consensus (after the judge's offset and scale are taken out).
    """
    if result is None:
        result = normalize(entry, judge, score, method, n_entries, n_judges=n_judges)
    entry = np.asarray(entry, dtype=np.intp)
    judge = np.asarray(judge, dtype=np.intp)
    y = np.asarray(score, dtype=float)
    n_j = result.judge_n_sheets.size
    offset = result.judge_offset
    scale = result.judge_scale
    noise = result.judge_noise
    agreement = agreement_with_others(
        entry, judge, y, result.sheet_score, result.sheet_weight, n_judges=n_j
    )
    offset_z = _robust_z(offset)
    with np.errstate(invalid="ignore"):
        harsh = offset_z < -offset_limit
        lenient = offset_z > offset_limit
        low_agreement = agreement < min_agreement
        fin = np.isfinite(noise) & (result.judge_n_sheets >= 3)
        noisy = np.zeros(n_j, dtype=bool)
        if fin.sum() >= 3:
            noisy = np.where(fin, noise > noise_ratio * np.median(noise[fin]), False)
    outlier = harsh | lenient | low_agreement | noisy

    # sheet residuals against the leave-one-out consensus, in the normalized units
    x = result.sheet_score
    w = result.sheet_weight
    resid = np.full(y.size, np.nan)
    if y.size:
        n_e = result.entry_score.size
        wsum = np.bincount(entry, weights=w, minlength=n_e)
        wx = np.bincount(entry, weights=w * x, minlength=n_e)
        rest = wsum[entry] - w
        ok = rest > 1e-12 * np.maximum(wsum[entry], 1e-300)
        loo = np.divide(wx[entry] - w * x, rest, out=np.zeros(y.size), where=ok)
        if np.isfinite(noise).any():
            s = np.nan_to_num(scale, nan=1.0)[judge]
            sd = noise[judge] / np.where(s > 0, s, 1.0)  # noise in normalized units
            var_loo = np.divide(1.0, rest, out=np.zeros(y.size), where=ok)
            if result.method != "bias_scale":  # unweighted methods: var of a mean of others
                var_loo = sd**2 * var_loo
            tot = np.sqrt(sd**2 + var_loo)
        else:
            dev = np.where(ok, x - loo, 0.0)
            tot = np.full(y.size, np.sqrt(np.vecdot(dev, dev) / max(int(ok.sum()), 1)))
        good = ok & np.isfinite(tot) & (tot > 0)
        np.divide(x - loo, tot, out=resid, where=good)
    with np.errstate(invalid="ignore"):
        sheet_outlier = np.abs(resid) > sheet_limit
    return JudgeDiagnostics(
        offset=offset,
        scale=scale,
        noise=noise,
        reliability=result.judge_reliability,
        n_sheets=result.judge_n_sheets,
        agreement=agreement,
        offset_z=offset_z,
        harsh=harsh,
        lenient=lenient,
        low_agreement=low_agreement,
        noisy=noisy,
        outlier=outlier,
        sheet_residual=resid,
        sheet_outlier=sheet_outlier,
        alpha=krippendorff_alpha(entry, judge, y),
        method=result.method,
    )
