"""Posterior uncertainty of a ranking: a hierarchical judge model sampled by Gibbs in numpy.

Pure numpy; no Flask, no database. The sampler itself (:func:`sample_posterior`,
:func:`check_sheets`) lives in ``judging.normalize_posterior`` beside the point-score fits
(re-exported by ``judging.normalize`` and here; the architecture test lists the core modules).
Same input as ``judging.normalize``: one row per score sheet with
``entry``, ``judge`` and ``score``.

Model (``model="bias_scale"``; ``"bias"`` fixes every scale at 1; ``"raw"`` also fixes every
offset at 0)::

    score_i = m_c + offset_j + scale_j * z_e + noise_i,   noise_i ~ N(0, sigma_j^2)

for sheet i of judge j on entry e in group c of linked judges (``m_c`` = the group's mean sheet
score, a constant). Weakly informative hierarchical priors, scaled by the spread of the scores
(``v`` = their variance)::

    z_e      ~ N(0, tau_z^2)          tau_z^2 ~ InvGamma(1, 0.05 v)
    offset_j ~ N(0, tau_a^2)          tau_a^2 ~ InvGamma(1, 0.01 v)
    scale_j  ~ N(1, tau_s^2)          tau_s^2 ~ InvGamma(2, 0.1)      (prior mean sd 0.3)
    sigma_j^2 ~ InvGamma(2, 2 s0^2)   s0^2 ~ Gamma(1, rate 1/v)       (pooled noise level)

Panels joined by only a few shared sheets (``judging.normalize.weak_blocks``: recursive
spectral bisection of the judges' co-scoring graph, a split kept where the entries shared
across it are under 30 % of the smaller side's, i.e. conductance < 0.3; groups of more than
600 judges are not examined) get a panel-aware prior: ``z_e ~ N(mu_b, tau_z^2)`` with a flat
prior on each block's mean ``mu_b``, so a strong panel's entries are not shrunk towards the
other panels' mean and its strength is not read as its judges' leniency; how strong a panel
is comes from the shared sheets and the offsets' prior, with its real uncertainty. Each sweep
also moves every block that few sheets link (at most 10 % of its sheets cross to another
block) as a whole (its entries up by ``delta``, its judges' offsets down by
``scale * delta``, ``delta`` drawn from its conditional normal, which only the sheets across
blocks and the offsets' prior inform), so the chain crosses the weakly determined panel levels
quickly. Random and rotating assignments (conductance 0.35 or more in the benchmarks) stay one
block and the sampler is exactly the exchangeable one.

A score at the rubric's bound (``score >= scale_max`` or ``<= scale_min``) is censored: the
judge's latent score is only known to lie beyond the bound, and each sweep draws it from the
truncated normal (data augmentation), so a pile of 100s does not read as "exactly 100".

A sheet may be a blunder (2026-12-04): with probability ``pi`` (``pi ~ Beta(1, 99)``, mean
1 %) it is a score unrelated to the entry, uniform over the rubric, such as 9 typed for 90, and
carries no information about the entry or the judge. Every fourth sweep draws which sheets are
blunders (a sheet many of its judge's noise sds off the judge's line almost surely is one)
and ``pi`` from their count; the other steps leave those sheets out of their sums. Scores at
a bound are censored, never blunders. Without it a blunder either drags its entry down or
inflates its judge's noise, and the entry's interval misses (coverage of the entries with a
blunder in ``bench/accuracy.py``'s ``blunders`` design: 0.80 without, 0.93 with it).
``sample_posterior(robust=False)`` turns it off.

A blunder is, a quarter of the time (2026-12-04 evening), a slip of scale instead: the judge
typed a tenth of what they meant (every criterion on a 1-10 scale, 86.5 as 8.65, or a digit
dropped, 73 as 7), so ten times the score, plus 2.5 points, lies on the judge's line within
the judge's noise and 3.5 more points (points of a 0-100 scale; scaled to the rubric's
width): a blunder's density at ``y`` is ``0.75 u + 0.25 * 10 N(10 y + 2.5; line, sigma^2 +
3.5^2)``. Only low sheets (ten times the score within reach of the scale) can be slips, so it
costs nothing elsewhere. With few sheets per judge a uniform blunder is hard to tell from a
harsh opinion; a slip is not (``bench/mistakes.py``: in small open stages with the demo's
judges, a sheet typed on a 1-10 scale is listed 12 times in 12 against 8 with uniform
blunders only; honest low totals of a harsh judge are not listed). ``slips=False`` reads every
blunder as uniform.

The mixture makes a chain slow where an entry's few sheets disagree (which one is the odd
sheet: two modes). A fit whose R-hat exceeds 1.1 is therefore run again, same seed and
burn-in, twice as long with every second sweep kept (``Posterior.thin`` 2; same number of
draws). Fits that settle are unchanged to the bit. Student-t noise instead of the normal one
was measured and not kept (2026-12-04 afternoon; ``bench/README.md``).

Every Gibbs sweep updates, vectorized: the latent scores of censored sheets; all entries'
``z`` at once (conjugate normal, two ``np.bincount``); every judge's (offset, scale) jointly (a
2x2 conjugate normal regression per judge, closed-form Cholesky, four ``np.bincount``); every
judge's noise (inverse gamma); then the four hyperparameters. The saved draws are centred per
group so that the judges' offsets, weighted by their sheets, sum to 0 (``offset`` reads "points
above the group's average sheet"); ranks do not depend on this centring.

Groups of judges that share no entry (``across``): ``"refuse"`` keeps each group on its own
centre and ranks only within a group; ``"assume_equal"`` assumes the groups' entries are of
equal average strength: every draw is centred on the group's mean entry and moved by a draw of
``N(0, tau_z^2 / n_group)``, the uncertainty of a group mean of ``n_group`` exchangeable
entries, which widens the intervals across groups accordingly.

Also here: :func:`boundary_decisions` (which places at an award cut / top-N / advancement cut
are decided) and :func:`plan_extra_judges` (one more judge for each undecided entry).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judging.normalize import (  # noqa: F401  (re-exported)
    ACROSS,
    MAX_FREE_INDEX,
    MODELS,
    Posterior,
    check_sheets,
    default_sweeps,
    judge_graph_components,
    sample_posterior,
)

# --------------------------------------------------------------------------------------------
# Decisions at boundaries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundaryDecision:
    """What the posterior says about one boundary of the ranking.

    place: the boundary (e.g. 3 for the award cut: places 1-3 are above it).
    p_in: (n_entries,) probability of a place <= ``place`` in the entry's group (NaN unranked).
    decided_in, decided_out: (n_entries,) bool, ``p_in >= hi`` / ``p_in <= lo``.
    undecided: (n_entries,) bool, ranked and neither: these could swap across the boundary.
    n_undecided: their number.
    """

    place: int
    p_in: np.ndarray
    decided_in: np.ndarray
    decided_out: np.ndarray
    undecided: np.ndarray
    n_undecided: int


@dataclass(frozen=True)
class Decisions:
    """boundaries: one :class:`BoundaryDecision` per boundary place, in the order given.
    p_pass: (n_entries,) probability that the entry's score is above ``pass_mark`` (None
    without a pass mark); pass_decided: p_pass <= lo or >= hi (None without a pass mark).
    undecided: (n_entries,) bool, undecided at any boundary or at the pass mark."""

    boundaries: tuple
    p_pass: np.ndarray | None
    pass_decided: np.ndarray | None
    undecided: np.ndarray


def boundary_decisions(result, boundaries, *, pass_mark=None, lo=0.1, hi=0.9) -> Decisions:
    """Which entries are decided at each boundary place and which could swap.

    ``result`` is what ``judging.ranking.rank_uncertainty`` returns (its ``rank_draws``,
    ``score_draws`` and ``rank`` are used) or anything with the same attributes.
    ``boundaries`` is a list of places, e.g. ``[3, 10, 30]`` for the award cut, the last Top-10
    place and the advancement cut. For each, ``p_in`` is the share of draws in which the entry's
    place is <= the boundary; the entry is decided in (``p_in >= hi``), decided out
    (``p_in <= lo``), or undecided (it could swap with an entry on the other side). With a
    ``pass_mark`` (a score), ``p_pass`` is the probability that the entry's score is above it.
    """
    if not 0 <= lo < hi <= 1:
        raise ValueError("need 0 <= lo < hi <= 1")
    ranks = np.asarray(result.rank_draws)
    ranked = np.asarray(result.rank) > 0
    out = []
    any_undecided = np.zeros(ranked.size, dtype=bool)
    for place in boundaries:
        place = int(place)
        if place < 1:
            raise ValueError("boundary places are 1 or more")
        p = ((ranks >= 1) & (ranks <= place)).mean(axis=0) if ranks.size else np.zeros(ranked.size)
        p = np.where(ranked, p, np.nan)
        with np.errstate(invalid="ignore"):
            d_in = ranked & (p >= hi)
            d_out = ranked & (p <= lo)
        und = ranked & ~d_in & ~d_out
        any_undecided |= und
        out.append(BoundaryDecision(place, p, d_in, d_out, und, int(und.sum())))
    p_pass = pass_dec = None
    if pass_mark is not None:
        draws = np.asarray(result.score_draws)
        p_pass = np.where(ranked, (draws > float(pass_mark)).mean(axis=0), np.nan)
        with np.errstate(invalid="ignore"):
            pass_dec = ranked & ((p_pass <= lo) | (p_pass >= hi))
        any_undecided |= ranked & ~pass_dec
    return Decisions(tuple(out), p_pass, pass_dec, any_undecided)


# --------------------------------------------------------------------------------------------
# One more judge where it decides
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtraJudges:
    """entry, judge: (k,) the proposed new sheets (one judge per undecided entry that has an
    eligible judge); se_now, se_new: (k,) the entry's SE now and the SE expected with the new
    sheet; shrink: 1 - se_new / se_now; bridges: (k,) bool, the judge links the entry's group
    to another group; no_judge: entries for which no judge is eligible; load: (n_judges,)
    load after the proposal (sheets per judge)."""

    entry: np.ndarray
    judge: np.ndarray
    se_now: np.ndarray
    se_new: np.ndarray
    shrink: np.ndarray
    bridges: np.ndarray
    no_judge: np.ndarray
    load: np.ndarray


def plan_extra_judges(
    entry,
    judge,
    undecided,
    n_judges,
    *,
    se,
    judge_noise=None,
    judge_scale=None,
    conflict=None,
    forbidden=(),
    available=None,
    entry_component=None,
    judge_component=None,
    seed=0,
) -> ExtraJudges:
    """One more judge for each undecided entry, where it decides the most.

    ``entry``/``judge``: the existing sheets (or assignments); ``undecided``: entry indices (or
    a boolean mask) that need another judge, handled largest ``se`` first; ``se``: (n_entries,)
    the entries' current standard errors. A judge is eligible for an entry when not conflicted
    (``conflict[e, j]`` True, or ``(e, j)`` in ``forbidden``), not already a judge of the entry,
    and ``available`` (optional (n_judges,) bool). Among eligible judges the choice prefers, in
    turn: a judge from another group of linked judges (``judge_component`` vs
    ``entry_component``; it links the groups, which the ranking across groups needs), the
    lowest load (existing sheets plus those proposed so far: loads stay balanced), the lowest
    noise (most information per sheet), then a seeded random order.

    Expected SE with one more sheet from judge j (precision add up; the new sheet's information
    on the entry's quality is ``scale_j^2 / noise_j^2``): ``se_new = sqrt(1 / (1/se^2 +
    scale_j^2/noise_j^2))``. It ignores the uncertainty of the new judge's own offset and
    scale. Measured against refits with the proposed sheets simulated from the true model
    (``bench/extra_judges.py``, December 2026): the realised SE is 1.00-1.02 times
    ``se_new`` in median on five designs of linked judges (45 to 3,000 entries, 2-5 judges per
    entry, two judges writing 40 % of the sheets in one); adding the new judge's
    offset uncertainty, or that of its whole line, to the sheet's noise made the prediction
    too pessimistic on some of them and was not kept. Where the proposal links groups of
    judges that shared no entry, the realised SE is about 0.90 times ``se_new``: linking the
    groups shrinks every entry's SE (by about 14 % for entries with no new sheet), which one
    entry's sheet does not foresee; the prediction is conservative there.
    """
    entry = np.asarray(entry, dtype=np.intp)
    judge = np.asarray(judge, dtype=np.intp)
    se = np.asarray(se, dtype=float)
    n_entries = se.size
    J = int(n_judges)
    und = np.asarray(undecided)
    if und.dtype == bool:
        und = np.flatnonzero(und)
    und = und.astype(np.intp)
    noise = np.full(J, np.nan) if judge_noise is None else np.asarray(judge_noise, float)
    scale = (
        np.ones(J)
        if judge_scale is None
        else np.nan_to_num(np.asarray(judge_scale, float), nan=1.0)
    )
    fin = np.isfinite(noise)
    noise = np.where(fin, noise, np.nanmedian(noise) if fin.any() else 1.0)
    blocked = np.zeros((n_entries, J), dtype=bool)
    if conflict is not None:
        conflict = np.asarray(conflict, dtype=bool)
        if conflict.shape != (n_entries, J):
            raise ValueError("conflict must be (n_entries, n_judges) booleans")
        blocked |= conflict
    for fe, fj in forbidden:
        blocked[int(fe), int(fj)] = True
    blocked[entry, judge] = True
    if available is not None:
        blocked[:, ~np.asarray(available, dtype=bool)] = True
    load = np.bincount(judge, minlength=J).astype(np.intp)
    if entry_component is None or judge_component is None:
        entry_component, judge_component, _ = judge_graph_components(entry, judge, n_entries, J)
    entry_component = np.asarray(entry_component)
    judge_component = np.asarray(judge_component)
    rng = np.random.default_rng(seed)
    order = und[np.argsort(-np.nan_to_num(se[und], nan=np.inf), kind="stable")]
    rows = []
    no_judge = []
    for i in order:
        ok = ~blocked[i]
        if not ok.any():
            no_judge.append(int(i))
            continue
        cand = np.flatnonzero(ok)
        bridge = (
            (judge_component[cand] != entry_component[i])
            & (judge_component[cand] >= 0)
            & (entry_component[i] >= 0)
        )
        tie = rng.random(cand.size)
        pick = np.lexsort((tie, noise[cand], load[cand], ~bridge))[0]
        jj = int(cand[pick])
        load[jj] += 1
        blocked[i, jj] = True
        info = scale[jj] ** 2 / noise[jj] ** 2
        s_now = se[i]
        s_new = (
            np.sqrt(1.0 / (1.0 / s_now**2 + info))
            if np.isfinite(s_now) and s_now > 0
            else np.sqrt(1.0 / info)
        )
        rows.append((int(i), jj, s_now, s_new, bool(bridge[pick])))
    if rows:
        ei, jj, s0, s1, br = (np.array(c) for c in zip(*rows, strict=True))
    else:
        ei = jj = np.zeros(0, dtype=np.intp)
        s0 = s1 = np.zeros(0)
        br = np.zeros(0, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        shrink = 1.0 - s1 / s0
    return ExtraJudges(
        ei.astype(np.intp),
        jj.astype(np.intp),
        s0.astype(float),
        s1.astype(float),
        shrink,
        br.astype(bool),
        np.array(no_judge, dtype=np.intp),
        load,
    )
