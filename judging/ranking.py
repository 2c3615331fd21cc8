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

This module is the public face: every name above is imported from here. It holds
:func:`rank_uncertainty` and its :class:`UncertainRanking` (``sample_posterior`` is looked up
here at each call, so a benchmark can swap it in this module); the rest lives in pure-numpy
modules beside it (each imports only numpy, the standard library and its siblings):

- ``judging.ranking_places``: :func:`rank_entries`, the tie-break rule, the ranks of many
  rows at once and :func:`range_with_place`;
- ``judging.ranking_stages``: :func:`combine_stages`, :func:`standardize_stages`,
  :func:`stage_influence`;
- ``judging.ranking_draws``: :func:`summarize_draws` and :func:`combine_draws`;
- ``judging.ranking_ties``: :func:`near_ties`;
- ``judging.ranking_bootstrap``: :func:`bootstrap_ranks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from judging.diagnostics import krippendorff_alpha
from judging.normalize import ACROSS, DEFAULT_METHOD, check_sheets, sample_posterior
from judging.ranking_bootstrap import BootstrapRanks, bootstrap_ranks
from judging.ranking_draws import combine_draws, summarize_draws
from judging.ranking_places import (
    TIE_BREAK_RULE,
    Ranked,
    _group_index,
    range_with_place,
    rank_entries,
)
from judging.ranking_stages import (
    StageInfluence,
    combine_stages,
    stage_influence,
    standardize_stages,
)
from judging.ranking_ties import NearTies, near_ties

__all__ = [
    "NOISE_RELIABILITY",
    "TIE_BREAK_RULE",
    "WARNING_CODES",
    "BootstrapRanks",
    "NearTies",
    "Ranked",
    "StageInfluence",
    "UncertainRanking",
    "bootstrap_ranks",
    "combine_draws",
    "combine_stages",
    "near_ties",
    "range_with_place",
    "rank_entries",
    "rank_uncertainty",
    "stage_influence",
    "standardize_stages",
    "summarize_draws",
]


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
