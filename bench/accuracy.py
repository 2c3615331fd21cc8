"""Accuracy benchmark: which normalization method recovers the true quality best?

Simulated competitions with a known true quality per entry and judges with random offsets
(leniency), scales (spread) and noise, on four designs. For every method of
``judging.normalize`` it prints the Spearman correlation of the consensus with the truth and
the precision of the true top 10 (share of the true top 10 among the estimated top 10),
averaged over ``--seeds`` seeds, and the ratio of the default method to ``zscore``.

Then the uncertainty benchmark: on the competitions of issue 14 (small, national, a flat
judge, an extreme judge, two groups of judges that share no entry, scores piled at the top of
the rubric; integer scores 0-100, seeds other than the tests'), it compares today's default
(``bootstrap_ranks`` at 90 % and ``near_ties`` on ``bias_scale``) with ``rank_uncertainty``:
coverage of the 90 % place intervals, share of "separated" neighbours in the wrong true order,
share of places flagged as ties, Spearman, top-10 precision and the ratio of the real error to
the reported SE (1 = honest), with medians over replications and the ratio to the baseline.
Held out since 2026-12-04 (``--only kipp``): seven designs of how KIPP-style judging differs
(heavy-tailed noise, typing blunders, a 5-criteria 1-5 rubric, tiny categories, one judge
writing most sheets, exactly tied qualities, a nearly complete design with steep judges).
Held out since 2026-12-04 afternoon (``--only s24``): four more (t noise for some judges only,
noise growing with the score, skewed quality tied at the top, a judge missing half its sheets).
Held out since 2026-12-04 evening (``--only held``), written blind: five more (a 1-5 rubric
mapped to 0-100 with halo and judges avoiding 1 and 5, two judges writing 40 % of the sheets,
150 entries with 2 judges each, judges growing harsher as they work, 20 % excellent outliers).
``--diagnose`` adds per-design diagnostics of ``rank_uncertainty``; ``--normal-noise``,
``--no-panels``, ``--no-retry`` and ``--no-slips`` run it without the blunder mixture, the
panel-aware prior, the longer second chain when R-hat > 1.1 or the slips of scale among the
blunders, for comparison.

    python bench/accuracy.py [--seeds 50] [--reps 12] [--skip-methods] [--skip-uncertainty]
                             [--only small,kipp,...] [--diagnose] [--normal-noise]
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from judging.assign import work_order
from judging.normalize import DEFAULT_METHOD, METHODS, normalize
from judging.ranking import bootstrap_ranks, near_ties, rank_entries, rank_uncertainty

SCALE_MIN, SCALE_MAX = 0.0, 100.0


def average_ranks(x):
    """Ranks 1..n with ties sharing their average rank (pure numpy)."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    n = x.size
    new = np.ones(n, dtype=bool)
    new[1:] = xs[1:] != xs[:-1]
    run = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], n) - 1
    avg = 0.5 * (starts + ends) + 1.0
    r = np.empty(n)
    r[order] = avg[run]
    return r


def spearman(a, b):
    ok = np.isfinite(a) & np.isfinite(b)
    ra, rb = average_ranks(a[ok]), average_ranks(b[ok])
    ra -= ra.mean()
    rb -= rb.mean()
    den = np.sqrt((ra @ ra) * (rb @ rb))
    return float(ra @ rb / den) if den > 0 else float("nan")


def precision_top(true_q, est, k=10):
    est = np.where(np.isfinite(est), est, -np.inf)
    true_top = np.argsort(-true_q, kind="stable")[:k]
    est_top = np.argsort(-est, kind="stable")[:k]
    return np.intersect1d(true_top, est_top).size / k


def _judges(rng, n, noisy_share=0.0):
    offset = rng.normal(0.0, 6.0, n)
    scale = np.exp(rng.normal(0.0, 0.3, n))
    noise = rng.uniform(3.0, 6.0, n)
    noisy = rng.random(n) < noisy_share
    noise[noisy] *= 3.0
    return offset, scale, noise


def _distinct(rng, pool, n_rows, k):
    """n_rows draws of k distinct members of ``pool`` (vectorized: argsort of random keys)."""
    keys = rng.random((n_rows, len(pool)))
    return np.asarray(pool)[np.argsort(keys, axis=1)[:, :k]]


def _scores(rng, q, entry, judge, offset, scale, noise):
    y = 60.0 + offset[judge] + scale[judge] * (q[entry] - 60.0)
    y += rng.normal(0.0, 1.0, entry.size) * noise[judge]
    return np.clip(y, SCALE_MIN, SCALE_MAX)


def design_balanced(rng):
    """120 entries, 20 judges, 5 random judges per entry."""
    E, J, k = 120, 20, 5
    q = rng.normal(60.0, 10.0, E)
    judge = _distinct(rng, np.arange(J), E, k).ravel()
    entry = np.repeat(np.arange(E), k)
    return q, entry, judge, _judges(rng, J)


def design_clustered(rng):
    """5 categories of 30 entries with their own panel of 5 judges (3 per entry) plus one of
    3 roaming judges per entry; two categories are much stronger/weaker (+12, -8 points)."""
    C, per, P, R = 5, 30, 5, 3
    shift = np.array([0.0, 0.0, 0.0, 12.0, -8.0])
    cat = np.repeat(np.arange(C), per)
    E = C * per
    q = rng.normal(60.0, 8.0, E) + shift[cat]
    panel = _distinct(rng, np.arange(P), E, 3) + cat[:, None] * P
    roam = C * P + rng.integers(0, R, E)
    judge = np.column_stack([panel, roam]).ravel()
    entry = np.repeat(np.arange(E), 4)
    return q, entry, judge, _judges(rng, C * P + R)


def design_sparse(rng):
    """200 entries, 30 judges, only 3 random judges per entry."""
    E, J, k = 200, 30, 3
    q = rng.normal(60.0, 10.0, E)
    judge = _distinct(rng, np.arange(J), E, k).ravel()
    entry = np.repeat(np.arange(E), k)
    return q, entry, judge, _judges(rng, J)


def design_weak(rng):
    """4 panels of 6 judges, 40 entries each (4 panel judges per entry), panels of different
    strength (0, +8, -5, +3); only 4 entries per panel get one extra sheet from a judge of the
    next panel; 20 % of the judges are very noisy (noise x3)."""
    C, per, P = 4, 40, 6
    shift = np.array([0.0, 8.0, -5.0, 3.0])
    cat = np.repeat(np.arange(C), per)
    E = C * per
    q = rng.normal(60.0, 8.0, E) + shift[cat]
    panel = _distinct(rng, np.arange(P), E, 4) + cat[:, None] * P
    entry = np.repeat(np.arange(E), 4)
    judge = panel.ravel()
    # bridges: 4 entries per panel also scored by a judge of the next panel
    bridge_e = (np.arange(C)[:, None] * per + _distinct(rng, np.arange(per), C, 4)).ravel()
    bridge_j = ((cat[bridge_e] + 1) % C) * P + rng.integers(0, P, bridge_e.size)
    entry = np.concatenate([entry, bridge_e])
    judge = np.concatenate([judge, bridge_j])
    return q, entry, judge, _judges(rng, C * P, noisy_share=0.2)


def _weak_panels(rng, shift, per, P, k, n_bridge, noisy_share):
    """Panels of ``P`` judges scoring their own ``per`` entries (``k`` panel judges per entry),
    panel strengths ``shift``; ``n_bridge`` entries per panel get one extra sheet from a judge
    of the next panel (the only links)."""
    C = len(shift)
    cat = np.repeat(np.arange(C), per)
    E = C * per
    q = rng.normal(60.0, 8.0, E) + np.asarray(shift, dtype=float)[cat]
    panel = _distinct(rng, np.arange(P), E, k) + cat[:, None] * P
    entry = np.repeat(np.arange(E), k)
    judge = panel.ravel()
    bridge_e = (np.arange(C)[:, None] * per + _distinct(rng, np.arange(per), C, n_bridge)).ravel()
    bridge_j = ((cat[bridge_e] + 1) % C) * P + rng.integers(0, P, bridge_e.size)
    entry = np.concatenate([entry, bridge_e])
    judge = np.concatenate([judge, bridge_j])
    return q, entry, judge, _judges(rng, C * P, noisy_share=noisy_share)


def design_weak_3x8(rng):
    """Held out (not tuned on): 3 panels of 8 judges, 60 entries each, 3 panel judges per
    entry, strengths (0, +6, -6), 3 bridge sheets per panel, 10 % very noisy judges."""
    return _weak_panels(rng, (0.0, 6.0, -6.0), 60, 8, 3, 3, 0.1)


def design_weak_6x5(rng):
    """Held out: 6 panels of 5 judges, 25 entries each, 3 panel judges per entry, strengths
    (0, +10, -4, +4, -8, +2), 2 bridge sheets per panel, 20 % very noisy judges."""
    return _weak_panels(rng, (0.0, 10.0, -4.0, 4.0, -8.0, 2.0), 25, 5, 3, 2, 0.2)


def design_weak_equal(rng):
    """Held out: as weakly_linked but the panels are equally strong (the case where treating
    panel strength as judge leniency is right)."""
    return _weak_panels(rng, (0.0, 0.0, 0.0, 0.0), 40, 6, 4, 4, 0.2)


DESIGNS = {
    "balanced": design_balanced,
    "clustered": design_clustered,
    "sparse": design_sparse,
    "weakly_linked": design_weak,
}


def run(seeds: int):
    results = {d: {m: ([], []) for m in METHODS} for d in DESIGNS}
    times = {m: 0.0 for m in METHODS}
    for name, make in DESIGNS.items():
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            q, entry, judge, (off, sc, ns) = make(rng)
            score = _scores(rng, q, entry, judge, off, sc, ns)
            for m in METHODS:
                t0 = time.perf_counter()
                res = normalize(
                    entry,
                    judge,
                    score,
                    m,
                    n_entries=q.size,
                    scale_min=SCALE_MIN,
                    scale_max=SCALE_MAX,
                )
                times[m] += time.perf_counter() - t0
                results[name][m][0].append(spearman(res.entry_score, q))
                results[name][m][1].append(precision_top(q, res.entry_score))
    return results, times


def methods_table(args):
    results, times = run(args.seeds)
    print(f"seeds per design: {args.seeds}; default method: {DEFAULT_METHOD}")
    for metric, idx in (
        ("Spearman correlation with the true quality", 0),
        ("precision of the true top 10", 1),
    ):
        print(f"\n{metric} (mean over seeds; +- standard error)")
        print(f"{'method':<12}" + "".join(f"{d:>22}" for d in DESIGNS))
        for m in METHODS:
            row = ""
            for d in DESIGNS:
                v = np.asarray(results[d][m][idx])
                row += f"{v.mean():>14.3f} +- {v.std(ddof=1) / np.sqrt(v.size):.3f}"
            print(f"{m:<12}" + row)
    print(
        f"\n{DEFAULT_METHOD} vs zscore (difference of means; ratio of 1 - Spearman, the share "
        "of rank disagreement left)"
    )
    worse = []
    for d in DESIGNS:
        ds = np.mean(results[d][DEFAULT_METHOD][0]) - np.mean(results[d]["zscore"][0])
        dp = np.mean(results[d][DEFAULT_METHOD][1]) - np.mean(results[d]["zscore"][1])
        ratio = (1 - np.mean(results[d][DEFAULT_METHOD][0])) / (
            1 - np.mean(results[d]["zscore"][0])
        )
        print(
            f"  {d:<14} Spearman {ds:+.3f}  top-10 precision {dp:+.3f}  (1-rho) ratio {ratio:.2f}"
        )
        if ds < 0:
            worse.append(d)
    total = sum(times.values())
    print(
        "\ntime per method (s, all designs and seeds): "
        + ", ".join(f"{m} {t:.2f}" for m, t in times.items())
        + f"; total {total:.1f}"
    )
    if worse:
        print(f"NOTE: {DEFAULT_METHOD} is below zscore on: {', '.join(worse)}")


# --------------------------------------------------------------------------------------------
# Uncertainty benchmark (issue 14)
# --------------------------------------------------------------------------------------------


def _int_scores(rng, q, entry, judge, offset, scale, noise, centre=60.0):
    y = centre + offset[judge] + scale[judge] * (q[entry] - centre)
    y += rng.normal(0.0, 1.0, entry.size) * noise[judge]
    return np.clip(np.round(y), SCALE_MIN, SCALE_MAX)


def u_small(rng, E=45, J=9, k=3):
    """45 entries, 9 judges, 3 random judges per entry."""
    q = rng.normal(60.0, 10.0, E)
    judge = _distinct(rng, np.arange(J), E, k).ravel()
    entry = np.repeat(np.arange(E), k)
    off, sc, ns = _judges(rng, J)
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), None


def u_national(rng):
    """National round: 3,000 entries, 300 judges, 5 per entry (from a judge's neighbourhood, as
    panels are formed: judges start + 0..4 * step)."""
    E, J, k = 3000, 300, 5
    q = rng.normal(60.0, 10.0, E)
    start = rng.integers(0, J, E)
    step = rng.integers(1, J // k, E)
    judge = ((start[:, None] + np.arange(k)[None, :] * step[:, None]) % J).ravel()
    entry = np.repeat(np.arange(E), k)
    off, sc, ns = _judges(rng, J)
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), None


def u_flat(rng):
    """45 entries, 9 judges, 3 per entry; judge 0 gives everyone nearly the same score
    (scale 0.05, noise 1)."""
    E, J, k = 45, 9, 3
    q = rng.normal(60.0, 10.0, E)
    judge = _distinct(rng, np.arange(J), E, k).ravel()
    entry = np.repeat(np.arange(E), k)
    off, sc, ns = _judges(rng, J)
    off[0], sc[0], ns[0] = 10.0, 0.05, 1.0
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), None


def u_extreme(rng):
    """45 entries, 9 judges, 3 per entry; judge 0 gives only extreme scores (scale 6: almost
    every sheet is 0 or 100 after the rubric's bounds)."""
    E, J, k = 45, 9, 3
    q = rng.normal(60.0, 10.0, E)
    judge = _distinct(rng, np.arange(J), E, k).ravel()
    entry = np.repeat(np.arange(E), k)
    off, sc, ns = _judges(rng, J)
    off[0], sc[0], ns[0] = 0.0, 6.0, 5.0
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), None


def u_two_groups(rng):
    """60 entries split at random between two groups of 6 judges (3 per entry) that share no
    entry; group B's judges are 8 points more lenient."""
    E, J, k = 60, 12, 3
    q = rng.normal(60.0, 10.0, E)
    grp = rng.permutation(np.repeat([0, 1], E // 2))
    judge = (_distinct(rng, np.arange(J // 2), E, k) + (J // 2) * grp[:, None]).ravel()
    entry = np.repeat(np.arange(E), k)
    off, sc, ns = _judges(rng, J)
    off[J // 2 :] += 8.0
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), grp


def u_ceiling(rng):
    """60 entries, 12 judges, 3 per entry, most scores between 85 and 100 (quality 90 +- 6,
    judges' offsets +- 3): many sheets sit at 100."""
    E, J, k = 60, 12, 3
    q = rng.normal(90.0, 6.0, E)
    judge = _distinct(rng, np.arange(J), E, k).ravel()
    entry = np.repeat(np.arange(E), k)
    off = rng.normal(0.0, 3.0, J)
    sc = np.exp(rng.normal(0.0, 0.2, J))
    ns = rng.uniform(2.0, 4.0, J)
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns, centre=90.0), None


def _old_design(make):
    """A design of the method comparison above (continuous judge habits), with integer scores."""

    def build(rng):
        q, entry, judge, (off, sc, ns) = make(rng)
        return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), None

    build.__doc__ = make.__doc__
    return build


# --------------------------------------------------------------------------------------------
# Held out (2026-12-04, issue 14): how real KIPP-style judging differs from the designs above.
# Added and measured before any change to the model; never tuned on.
# --------------------------------------------------------------------------------------------


def _random_panel(rng, E, J, k):
    judge = _distinct(rng, np.arange(J), E, k).ravel()
    return np.repeat(np.arange(E), k), judge


def k_heavy_tails(rng):
    """60 entries, 12 judges, 3 random judges per entry; the judges' noise is Student t with
    3 degrees of freedom, scaled to the same sd as elsewhere (3-6 points): most sheets are
    closer to the judge's line than with normal noise, a few are 10-20 points off."""
    E, J, k = 60, 12, 3
    q = rng.normal(60.0, 10.0, E)
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    y = 60.0 + off[judge] + sc[judge] * (q[entry] - 60.0)
    t = rng.standard_t(3.0, entry.size) / np.sqrt(3.0)
    y += t * ns[judge]
    wild = np.bincount(entry[np.abs(t) > 2.5], minlength=E) > 0  # a sheet 2.5 sd off or more
    y = np.clip(np.round(y), SCALE_MIN, SCALE_MAX)
    return q, entry, judge, y, None, {"special": ("with a sheet >2.5 sd off", wild)}


def k_blunders(rng):
    """60 entries, 12 judges, 3 random judges per entry, normal noise; 2 % of the sheets
    carry a typing blunder: a digit dropped (90 -> 9, 73 -> 7), the score divided by 10."""
    q, entry, judge, (off, sc, ns) = _old_design_rng(rng, 60, 12, 3)
    y = _int_scores(rng, q, entry, judge, off, sc, ns)
    typo = rng.random(y.size) < 0.02
    y[typo] = np.floor(y[typo] / 10.0)
    hit = np.bincount(entry[typo], minlength=q.size) > 0
    return q, entry, judge, y, None, {"special": ("with a blunder", hit)}


def _old_design_rng(rng, E, J, k):
    q = rng.normal(60.0, 10.0, E)
    entry, judge = _random_panel(rng, E, J, k)
    return q, entry, judge, _judges(rng, J)


RUBRIC_WEIGHTS = np.array([6.0, 5.0, 4.0, 3.0, 2.0])  # sum 20: totals 20-100


def k_rubric(rng):
    """60 entries, 12 judges, 3 random judges per entry; the total is a weighted sum of 5
    criteria (weights 6, 5, 4, 3, 2) each scored 1-5, so totals run 20-100 and are coarse.
    An entry's true criterion qualities are 3 + 0.8 g + 0.4 e_c on the 1-5 scale (g its general
    quality, e_c criterion-specific, both standard normal); its true quality is their weighted
    sum (the total a perfect judge would give before rounding). Judges: offset sd 0.3
    criterion points, scale log-normal sd 0.3, noise sd 0.4-0.8 per criterion; each criterion
    score is rounded and clipped to 1-5. The rubric's bounds are 20 and 100."""
    E, J, k = 60, 12, 3
    g = rng.normal(0.0, 1.0, E)
    crit = 3.0 + 0.8 * g[:, None] + 0.4 * rng.normal(0.0, 1.0, (E, RUBRIC_WEIGHTS.size))
    q = crit @ RUBRIC_WEIGHTS
    entry, judge = _random_panel(rng, E, J, k)
    off = rng.normal(0.0, 0.3, J)
    sc = np.exp(rng.normal(0.0, 0.3, J))
    ns = rng.uniform(0.4, 0.8, J)
    c = 3.0 + off[judge, None] + sc[judge, None] * (crit[entry] - 3.0)
    c += rng.normal(0.0, 1.0, c.shape) * ns[judge, None]
    y = np.clip(np.round(c), 1.0, 5.0) @ RUBRIC_WEIGHTS
    return q, entry, judge, y, None, {"bounds": (20.0, 100.0)}


def k_tiny(rng):
    """6 categories of 8 entries, each with its own 3 judges who score all 8 entries (a
    complete design within the category, no judge shared across categories); ranked within
    each category, the decision is the category's top 3."""
    C, per, P = 6, 8, 3
    cat = np.repeat(np.arange(C), per)
    E = C * per
    q = rng.normal(60.0, 10.0, E)
    entry = np.repeat(np.arange(E), P)
    judge = (cat[:, None] * P + np.arange(P)[None, :]).ravel()
    off, sc, ns = _judges(rng, C * P)
    y = _int_scores(rng, q, entry, judge, off, sc, ns)
    return q, entry, judge, y, None, {"category": cat, "top_n": 3}


def k_dominant(rng):
    """100 entries; judge 0 scores every entry, 8 other judges score 5 entries each (40
    entries get a second sheet, 60 only judge 0's): judge 0 writes 71 % of the sheets."""
    E, J, others = 100, 9, 5
    q = rng.normal(60.0, 10.0, E)
    second = rng.permutation(E)[: (J - 1) * others]
    entry = np.concatenate([np.arange(E), second])
    judge = np.concatenate([np.zeros(E, np.intp), 1 + np.repeat(np.arange(J - 1), others)])
    off, sc, ns = _judges(rng, J)
    alone = np.bincount(entry, minlength=E) == 1
    y = _int_scores(rng, q, entry, judge, off, sc, ns)
    return q, entry, judge, y, None, {"special": ("judge 0's sheet only", alone)}


def k_tied_quality(rng):
    """60 entries, 12 judges, 3 random judges per entry; true qualities in 12 clusters of 5
    exactly equal entries, 2.5 points apart (46.25-73.75). A place interval covers a tied entry
    when it overlaps the places its cluster shares; tied neighbours are never in the wrong
    order and count half in right_next."""
    E, J, k = 60, 12, 3
    q = rng.permutation(np.repeat(60.0 + 2.5 * (np.arange(12) - 5.5), 5))
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), None


def k_near_complete(rng):
    """40 entries, 7 judges, 5 random judges per entry (nearly complete); the judges' scales
    differ strongly (log-normal sd 0.6: 0.3-3x), so a judge's leniency depends on the entry's
    quality, and steep judges' sheets pile up at 0 and 100."""
    E, J, k = 40, 7, 5
    q = rng.normal(60.0, 10.0, E)
    entry, judge = _random_panel(rng, E, J, k)
    off, _, ns = _judges(rng, J)
    sc = np.exp(rng.normal(0.0, 0.6, J))
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), None


# --------------------------------------------------------------------------------------------
# Held out (2026-12-04, session 24): designs the Student-t noise was not tuned on. Added and
# measured before the change to the model (``--only s24``).
# --------------------------------------------------------------------------------------------


def _wild(entry, t, E, cut=2.5):
    """Entries with a sheet whose standardized noise is more than ``cut`` sd off."""
    return np.bincount(entry[np.abs(t) > cut], minlength=E) > 0


def s_t_some(rng):
    """60 entries, 12 judges, 3 random judges per entry; 4 of the 12 judges (chosen at random)
    have Student-t noise with 3 degrees of freedom scaled to their sd (3-6 points), the other 8
    normal noise."""
    E, J, k = 60, 12, 3
    q = rng.normal(60.0, 10.0, E)
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    heavy = np.zeros(J, dtype=bool)
    heavy[rng.permutation(J)[:4]] = True
    t = np.where(
        heavy[judge],
        rng.standard_t(3.0, entry.size) / np.sqrt(3.0),
        rng.normal(0.0, 1.0, entry.size),
    )
    y = 60.0 + off[judge] + sc[judge] * (q[entry] - 60.0) + t * ns[judge]
    y = np.clip(np.round(y), SCALE_MIN, SCALE_MAX)
    wild = _wild(entry, np.where(heavy[judge], t, 0.0), E)
    return q, entry, judge, y, None, {"special": ("with a t sheet >2.5 sd off", wild)}


def s_growing_noise(rng):
    """60 entries, 12 judges, 3 random judges per entry; 3 judges' noise grows with the score
    they would give (sd 1 point at a line of 40, 12 points at 90: they look closely at weak
    entries and guess at strong ones); the others as usual."""
    E, J, k = 60, 12, 3
    q = rng.normal(60.0, 10.0, E)
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    line = 60.0 + off[judge] + sc[judge] * (q[entry] - 60.0)
    grow = np.zeros(J, dtype=bool)
    grow[rng.permutation(J)[:3]] = True
    sd = np.where(grow[judge], np.clip(1.0 + 0.22 * (line - 40.0), 1.0, 20.0), ns[judge])
    y = np.clip(np.round(line + rng.normal(0.0, 1.0, entry.size) * sd), SCALE_MIN, SCALE_MAX)
    hit = np.bincount(entry[grow[judge]], minlength=E) > 0
    return q, entry, judge, y, None, {"special": ("scored by a growing-noise judge", hit)}


def s_skewed_top(rng):
    """60 entries, 12 judges, 3 random judges per entry; quality skewed towards the top of the
    rubric (100 minus a gamma with shape 2 and mean 16: a long tail of weak entries, a crowd at
    80-95) and the best 4 entries exactly tied (the mean of their qualities); judges' offsets
    sd 4, so some sheets sit at 100."""
    E, J, k = 60, 12, 3
    q = 100.0 - rng.gamma(2.0, 8.0, E)
    top = np.argsort(-q)[:4]
    q[top] = q[top].mean()
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    off *= 4.0 / 6.0
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns, centre=84.0), None


def s_missing_half(rng):
    """60 entries, 12 judges, 3 random judges per entry, but judge 0 (the most lenient of the
    12) hands in only half of its sheets (the other half missing at random): the entries it
    was assigned to are scored by 2 or 3 judges."""
    E, J, k = 60, 12, 3
    q = rng.normal(60.0, 10.0, E)
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    lenient = int(np.argmax(off))
    mine = np.flatnonzero(judge == lenient)
    drop = rng.permutation(mine)[: mine.size // 2]
    keep = np.ones(entry.size, dtype=bool)
    keep[drop] = False
    y = _int_scores(rng, q, entry, judge, off, sc, ns)
    lost = np.bincount(entry[drop], minlength=E) > 0
    return (
        q,
        entry[keep],
        judge[keep],
        y[keep],
        None,
        {"special": ("missing the lenient judge's sheet", lost)},
    )


# --------------------------------------------------------------------------------------------
# Held out (2026-12-04, session 27, ``--only held``): written blind, committed before any run of
# the model on them, never tuned on. Same seeds as the other designs (7919 + 1000 k).
# --------------------------------------------------------------------------------------------

HALO_WEIGHTS = np.array([30.0, 25.0, 20.0, 15.0, 10.0])  # sum 100


def h_rubric_halo(rng):
    """90 entries, 15 judges, 3 random judges per entry; 5 criteria scored 1-5, weighted
    (30, 25, 20, 15, 10) and mapped to 0-100 (total = sum w (s - 1) / 4: steps of 1.25, only
    a few dozen totals used). True criterion qualities 3.2 + 0.7 g + 0.5 e_c on the 1-5 scale
    (g general, e_c per criterion, standard normal); true quality = their weighted total.
    Judges: offset sd 0.3 criterion points, scale log-normal sd 0.25, noise sd 0.4-0.8 per
    criterion, plus a halo: one impression per (judge, entry), sd 0.3, added to all five
    criteria (errors correlated within a sheet); 4 of the 15 judges never give 1 or 5 (their
    criterion scores clipped to 2-4). Bounds 0 and 100."""
    E, J, k = 90, 15, 3
    g = rng.normal(0.0, 1.0, E)
    crit = 3.2 + 0.7 * g[:, None] + 0.5 * rng.normal(0.0, 1.0, (E, HALO_WEIGHTS.size))
    q = (crit - 1.0) @ HALO_WEIGHTS / 4.0
    entry, judge = _random_panel(rng, E, J, k)
    off = rng.normal(0.0, 0.3, J)
    sc = np.exp(rng.normal(0.0, 0.25, J))
    ns = rng.uniform(0.4, 0.8, J)
    central = np.zeros(J, dtype=bool)
    central[rng.permutation(J)[:4]] = True
    c = 3.0 + off[judge, None] + sc[judge, None] * (crit[entry] - 3.0)
    c += rng.normal(0.0, 0.3, entry.size)[:, None]  # the halo of the sheet
    c += rng.normal(0.0, 1.0, c.shape) * ns[judge, None]
    lo = np.where(central[judge], 2.0, 1.0)[:, None]
    hi = np.where(central[judge], 4.0, 5.0)[:, None]
    y = (np.clip(np.round(c), lo, hi) - 1.0) @ HALO_WEIGHTS / 4.0
    hit = np.bincount(entry[central[judge]], minlength=E) > 0
    return q, entry, judge, y, None, {"special": ("scored by a 2-4-only judge", hit)}


def h_unequal_load(rng):
    """90 entries, 24 judges, 3 judges per entry; judges 0 and 1 (the committee's own staff)
    are each on an entry's panel with probability 0.6, so together they write about 40 % of
    the sheets (~54 each); the other slots go to judges 2-23 with log-normal weights (sd 0.5):
    a handful of sheets each (~2-15)."""
    E, J, k = 90, 24, 3
    heavy = rng.random((E, 2)) < 0.6
    need = k - heavy.sum(axis=1)
    w = np.exp(rng.normal(0.0, 0.5, J - 2))
    keys = np.log(w)[None, :] + rng.gumbel(size=(E, J - 2))  # Gumbel top-k: weighted draws
    pick = 2 + np.argsort(-keys, axis=1)  # without replacement
    ent, jud = [], []
    for e in range(E):
        js = [j for j in (0, 1) if heavy[e, j]] + list(pick[e, : need[e]])
        ent += [e] * len(js)
        jud += js
    entry, judge = np.asarray(ent, dtype=np.intp), np.asarray(jud, dtype=np.intp)
    q = rng.normal(60.0, 10.0, E)
    off, sc, ns = _judges(rng, J)
    y = _int_scores(rng, q, entry, judge, off, sc, ns)
    light = ~heavy.any(axis=1)
    return q, entry, judge, y, None, {"special": ("no sheet of judges 0-1", light)}


def h_thin(rng):
    """150 entries, 15 judges, only 2 random judges per entry (20 sheets per judge)."""
    E, J, k = 150, 15, 2
    q = rng.normal(60.0, 10.0, E)
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    return q, entry, judge, _int_scores(rng, q, entry, judge, off, sc, ns), None


def h_fatigue(rng):
    """100 entries, 12 judges, 4 random judges per entry (~33 sheets each); each judge grows
    harsher as it works: its leniency falls linearly from 0 at its first sheet to -d at its
    last, d uniform 5-10 points. 6 of the 12 judges (at random) score in the portal's list
    order (entry number = order of submission, unrelated to quality), the others in a random
    order. The model has one constant offset per judge."""
    return _fatigue(rng)


def _fatigue(rng, drift_factor=1.0, shuffle_all=False, juri_order=False):
    """h_fatigue's competition; the controls (added after its results, diagnostics only) scale
    the drift (0: none) or put every judge in a random order (``shuffle_all``: the list-order
    judges' orders from a side generator, so every other draw is h_fatigue's), or have the
    list-order judges work in the order Juri's workspace now gives each judge
    (``juri_order``: ``judging.assign.work_order``, no draw)."""
    E, J, k = 100, 12, 4
    q = rng.normal(60.0, 10.0, E)
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    drift = rng.uniform(5.0, 10.0, J) * drift_factor
    in_order = np.zeros(J, dtype=bool)
    in_order[rng.permutation(J)[: J // 2]] = True
    side = np.random.default_rng(4242)
    pos = np.empty(entry.size)  # position of the sheet in its judge's work, 0..1
    for j in range(J):
        mine = np.flatnonzero(judge == j)
        if not in_order[j]:
            seq = rng.permutation(mine)
        elif shuffle_all:
            seq = side.permutation(mine)
        elif juri_order:
            seq = mine[np.argsort([work_order(j, int(e)) for e in entry[mine]], kind="stable")]
        else:
            seq = mine[np.argsort(entry[mine])]
        pos[seq] = np.arange(seq.size) / max(seq.size - 1, 1)
    off_sheet = off[judge] - drift[judge] * pos
    y = 60.0 + off_sheet + sc[judge] * (q[entry] - 60.0)
    y += rng.normal(0.0, 1.0, entry.size) * ns[judge]
    y = np.clip(np.round(y), SCALE_MIN, SCALE_MAX)
    late = np.arange(E) >= 3 * E // 4
    return q, entry, judge, y, None, {"special": ("last quarter of the list", late)}


def c_fatigue_no_drift(rng):
    """Control of fatigue_drift (added after its results; not held out): the same competition
    and noise without the drift."""
    return _fatigue(rng, drift_factor=0.0)


def c_fatigue_shuffled(rng):
    """Control of fatigue_drift (added after its results; not held out): the same drift and
    noise, but every judge scores in a random order (none in the list's)."""
    return _fatigue(rng, shuffle_all=True)


def c_fatigue_juri_order(rng):
    """Control of fatigue_drift (added after its results; not held out): the same drift and
    noise, the list-order judges working in the order Juri's workspace gives each judge
    (``judging.assign.work_order``) instead of the entries' numbers."""
    return _fatigue(rng, juri_order=True)


def h_outliers(rng):
    """80 entries, 12 judges, 3 random judges per entry; quality a mixture: 80 % ordinary
    entries (55 +- 8) and 20 % (16 entries) excellent innovations far above (85 +- 5), so the
    top 10 is decided among the outliers and lenient or steep judges put them at 100."""
    E, J, k = 80, 12, 3
    star = np.zeros(E, dtype=bool)
    star[rng.permutation(E)[: E // 5]] = True
    q = np.where(star, rng.normal(85.0, 5.0, E), rng.normal(55.0, 8.0, E))
    entry, judge = _random_panel(rng, E, J, k)
    off, sc, ns = _judges(rng, J)
    y = _int_scores(rng, q, entry, judge, off, sc, ns)
    return q, entry, judge, y, None, {"special": ("outlier (excellent)", star)}


U_DESIGNS = {
    "small": u_small,
    "national": u_national,
    "flat_judge": u_flat,
    "extreme_judge": u_extreme,
    "two_groups": u_two_groups,
    "ceiling": u_ceiling,
    # the method-comparison designs, which the model was not built on
    "balanced": _old_design(design_balanced),
    "clustered": _old_design(design_clustered),
    "sparse": _old_design(design_sparse),
    "weakly_linked": _old_design(design_weak),
    # held out: weakly linked panels of other sizes, strengths and links (never tuned on)
    "weak_3x8": _old_design(design_weak_3x8),
    "weak_6x5": _old_design(design_weak_6x5),
    "weak_equal": _old_design(design_weak_equal),
    # held out (2026-12-04): how real KIPP-style judging differs (``--only kipp`` for all)
    "heavy_tails": k_heavy_tails,
    "blunders": k_blunders,
    "rubric_5x5": k_rubric,
    "tiny_categories": k_tiny,
    "dominant_judge": k_dominant,
    "tied_quality": k_tied_quality,
    "near_complete": k_near_complete,
    # held out (2026-12-04, session 24): measured before the Student-t noise (``--only s24``)
    "t_some_judges": s_t_some,
    "growing_noise": s_growing_noise,
    "skewed_top_ties": s_skewed_top,
    "missing_half": s_missing_half,
    # held out (2026-12-04, session 27): written blind before any run (``--only held``)
    "rubric_halo": h_rubric_halo,
    "unequal_load": h_unequal_load,
    "thin_150x2": h_thin,
    "fatigue_drift": h_fatigue,
    "quality_outliers": h_outliers,
    # controls of fatigue_drift, added after the held-out results (diagnostics, not held out)
    "fatigue_no_drift": c_fatigue_no_drift,
    "fatigue_shuffled": c_fatigue_shuffled,
    "fatigue_juri_order": c_fatigue_juri_order,
}
FAMILIES = {
    "kipp": (
        "heavy_tails",
        "blunders",
        "rubric_5x5",
        "tiny_categories",
        "dominant_judge",
        "tied_quality",
        "near_complete",
    ),
    "s24": ("t_some_judges", "growing_noise", "skewed_top_ties", "missing_half"),
    "held": ("rubric_halo", "unequal_load", "thin_150x2", "fatigue_drift", "quality_outliers"),
    "fatigue_controls": (
        "fatigue_drift",
        "fatigue_no_drift",
        "fatigue_shuffled",
        "fatigue_juri_order",
    ),
}
METRICS = (
    "coverage90",
    "wrong_order",
    "tied_share",
    "spearman",
    "top10",
    "se_ratio",
    "decided10",
    "wrong_dec10",
    "p_next",
    "right_next",
)
POOLED = ("n_pairs", "n_sep", "n_wrong")


def _true_rank(q, within):
    """True place (1 = best) within each group of ``within``."""
    return rank_entries(q, group=within).rank


def _true_places(q, within):
    """The places an entry's true quality shares within its group: ``(best, worst)``; equal
    for every entry unless true qualities tie exactly."""
    best = _true_rank(q, within)
    worst = rank_entries(-q, group=within).rank  # places counted from the bottom
    size = np.bincount(within, minlength=int(within.max()) + 1)[within]
    return best, size + 1 - worst


_erf = np.vectorize(math.erf)


def _p_above_normal(score, se, a, b):
    """P(a above b) from scores and standard errors (normal approximation; what near_ties
    tests at 95 %)."""
    sd = np.sqrt(se[a] ** 2 + se[b] ** 2)
    zval = np.divide(score[a] - score[b], sd, out=np.zeros(a.size), where=sd > 0)
    return 0.5 * (1.0 + _erf(zval / np.sqrt(2.0)))


def _top_precision(t_best, est, within, k):
    """Share of each group's estimated top ``k`` whose true place is in the top ``k`` (a tied
    true place counts when its best place is), averaged over the groups; the precision of the
    true top ``k`` when true qualities are distinct."""
    order = rank_entries(est, group=within).order
    out = []
    for g in np.unique(within):
        top = order[within[order] == g][:k]
        out.append(np.sum(t_best[top] <= k) / k)
    return float(np.mean(out))


def _metrics(
    q, score, se, lo, hi, tied_next, tied, rank_group, p_top, p_next, top_n=10, per_group=False
):
    """The uncertainty metrics of one replication. ``per_group`` (designs with categories):
    Spearman and top-N precision within each category, averaged; otherwise over all entries,
    as before 2026-12-04."""
    t_best, t_worst = _true_places(q, rank_group)
    # the top-N boundary: decided in (P(top N) >= 0.9) or out (<= 0.1), and how often wrongly
    d_in, d_out = p_top >= 0.9, p_top <= 0.1
    decided = d_in | d_out
    wrong_dec = (d_in & (t_best > top_n)) | (d_out & (t_worst <= top_n))
    wrong_dec10 = float(wrong_dec.sum() / decided.sum()) if decided.any() else float("nan")
    ok = np.isfinite(score)
    cover = float(np.mean((t_worst[ok] >= lo[ok]) & (t_best[ok] <= hi[ok])))
    order = rank_entries(score, group=rank_group).order
    a, b = order[:-1], order[1:]
    same = rank_group[a] == rank_group[b]
    sep = same & ~tied_next[a]
    wrong = float(np.mean(q[a[sep]] < q[b[sep]])) if sep.any() else float("nan")
    # calibration of P(placed above the next place): mean stated probability against the
    # share of neighbour pairs that are in the right true order (a true tie counts half)
    pn = p_next[a[same]] if p_next is not None else _p_above_normal(score, se, a[same], b[same])
    right = float(np.mean(q[a[same]] > q[b[same]]) + 0.5 * np.mean(q[a[same]] == q[b[same]]))
    err = score - q
    # the level is not identified within a group: error about each group's mean error
    groups = np.unique(rank_group)
    for g in groups:
        m = rank_group == g
        err[m] -= np.mean(err[m])
    se_ratio = float(np.sqrt(np.mean(err[ok] ** 2)) / np.sqrt(np.mean(se[ok] ** 2)))
    if per_group:
        rho = float(np.mean([spearman(score[rank_group == g], q[rank_group == g]) for g in groups]))
        top_group = rank_group
    else:
        rho = spearman(score, q)
        top_group = np.zeros(q.size, dtype=np.intp)
    return {
        "coverage90": cover,
        "wrong_order": wrong,
        "tied_share": float(np.mean(tied[ok])),
        "spearman": rho,
        "top10": _top_precision(_true_places(q, top_group)[0], score, top_group, top_n),
        "se_ratio": se_ratio,
        "decided10": float(decided.mean()),
        "wrong_dec10": wrong_dec10,
        "p_next": float(np.nanmean(pn)),
        "right_next": right,
        # counts for the pooled line (the median of wrong_order hides how few pairs it rests on)
        "n_pairs": int(same.sum()),
        "n_sep": int(sep.sum()),
        "n_wrong": int(np.sum(q[a[sep]] < q[b[sep]])),
    }


def run_uncertainty(reps, national_reps):
    rows = {}  # (design, variant) -> metric -> list
    times = {}
    for name, make in U_DESIGNS.items():
        n_rep = national_reps if name == "national" else reps
        for rep in range(n_rep):
            rng = np.random.default_rng(7919 + 1000 * rep)
            out = make(rng)
            q, entry, judge, score, grp = out[:5]
            opts = out[5] if len(out) > 5 else {}
            lo_b, hi_b = opts.get("bounds", (SCALE_MIN, SCALE_MAX))
            cat, top_n = opts.get("category"), opts.get("top_n", 10)
            E = q.size
            variants = []
            t0 = time.process_time()
            res = normalize(
                entry,
                judge,
                score,
                DEFAULT_METHOD,
                n_entries=E,
                scale_min=lo_b,
                scale_max=hi_b,
            )
            comp = res.component
            boot = bootstrap_ranks(
                res, entry, group=cat, n_boot=1000, top_n=top_n, level=0.9, seed=rep
            )
            nt = near_ties(res.entry_score, res.entry_se, group=cat)
            tb = time.process_time() - t0
            rg = np.zeros(E, dtype=np.intp) if cat is None else np.asarray(cat, dtype=np.intp)
            variants.append(
                (
                    "today",
                    res.entry_score,
                    res.entry_se,
                    boot.rank_lo,
                    boot.rank_hi,
                    nt.tied_with_next,
                    nt.flag,
                    rg,
                    boot.p_top,
                    None,
                    tb,
                )
            )
            modes = ("assume_equal", "refuse") if grp is not None else ("assume_equal",)
            for mode in modes:
                t0 = time.process_time()
                u = rank_uncertainty(
                    entry,
                    judge,
                    score,
                    n_entries=E,
                    group=cat,
                    scale_min=lo_b,
                    scale_max=hi_b,
                    level=0.9,
                    top_n=top_n,
                    seed=rep,
                    across=mode,
                )
                tu = time.process_time() - t0
                label = "rank_uncertainty" if mode == "assume_equal" else "rank_unc.refuse"
                variants.append(
                    (
                        label,
                        u.score_unclipped,
                        u.se,
                        u.rank_lo,
                        u.rank_hi,
                        u.tied_with_next,
                        u.tied,
                        u.rank_group,
                        u.p_top,
                        u.p_above_next,
                        tu,
                    )
                )
            if grp is not None:  # today's default ranked within its groups, for reference
                variants.append(
                    (
                        "today.within_groups",
                        res.entry_score,
                        res.entry_se,
                        *_boot_within(res, entry, comp, rep)[:2],
                        nt.tied_with_next,
                        nt.flag,
                        comp,
                        _boot_within(res, entry, comp, rep)[2],
                        None,
                        tb,
                    )
                )
            for label, sc, se, lo, hi, tn, tf, rg, pt, pn, t in variants:
                m = _metrics(
                    q, sc, se, lo, hi, tn, tf, rg, pt, pn, top_n=top_n, per_group=cat is not None
                )
                d = rows.setdefault((name, label), {k: [] for k in METRICS + POOLED})
                for k in METRICS + POOLED:
                    d[k].append(m[k])
                times.setdefault((name, label), []).append(t)
    return rows, times


def _boot_within(res, entry, comp, rep):
    b = bootstrap_ranks(res, entry, group=comp, n_boot=1000, top_n=10, level=0.9, seed=rep)
    return b.rank_lo, b.rank_hi, b.p_top


def uncertainty_table(args):
    t0 = time.perf_counter()
    rows, times = run_uncertainty(args.reps, args.national_reps)
    print(
        f"\nUncertainty of the ranking: median over replications ({args.reps} per design, "
        f"{args.national_reps} for national); goal: coverage 0.85-0.95, wrong order <= 0.05, "
        "SE ratio 1.0"
    )
    head = f"{'design':<16}{'variant':<24}" + "".join(f"{k:>12}" for k in METRICS) + f"{'CPU s':>9}"
    print(
        "wrong_order: share of neighbours called separated (P(above) >= 0.95) that are in "
        "the wrong true order (nan: none called separated); decided10: share of entries "
        "whose P(top 10) is >= 0.9 or <= 0.1; wrong_dec10: share of those on the wrong side; "
        "p_next: mean stated P(placed above the next place) (today: normal approximation "
        "from the SEs), right_next: share of neighbours in the right true order (equal = "
        "calibrated)"
    )
    print(head)
    for (name, label), d in rows.items():
        med = [np.nanmedian(d[k]) if np.isfinite(d[k]).any() else np.nan for k in METRICS]
        print(
            f"{name:<16}{label:<24}"
            + "".join(f"{v:>12.3f}" for v in med)
            + f"{np.median(times[(name, label)]):>9.2f}"
        )
    print(
        "\nrank_uncertainty against today's default, paired over replications: mean "
        "difference +- its standard error (Spearman and top-10 precision should not drop by "
        "more than 0.005)"
    )
    for name in U_DESIGNS:
        base = rows[(name, "today")]
        new = rows[(name, "rank_uncertainty")]
        parts = []
        for k in ("coverage90", "spearman", "top10", "se_ratio"):
            d = np.asarray(new[k]) - np.asarray(base[k])
            se = d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else float("nan")
            parts.append(f"{k} {d.mean():+.3f} +- {se:.3f}")
        print(f"  {name:<16}" + ", ".join(parts))
    print(
        "\nPooled over replications: neighbour pairs, those called separated (not tied at 95 %) "
        "and how many of those are in the wrong true order; places flagged tied (mean share)"
    )
    for (name, label), d in rows.items():
        n_sep, n_wrong = sum(d["n_sep"]), sum(d["n_wrong"])
        share = f"{n_wrong / n_sep:.3f}" if n_sep else "nan"
        print(
            f"  {name:<16}{label:<24} pairs {sum(d['n_pairs']):>6}  separated {n_sep:>5}  "
            f"wrong {n_wrong:>4} ({share})  tied {np.mean(d['tied_share']):.3f}"
        )
    print(f"\nuncertainty benchmark time: {time.perf_counter() - t0:.0f} s")


def diagnose(reps):
    """Per-design diagnostics of ``rank_uncertainty`` (pooled over entries and replications):
    where the coverage or the SE ratio misses, which entries miss and whether the interval
    itself claims more than 90 % (integer places)."""
    print(
        "\nDiagnostics of rank_uncertainty, pooled over entries and replications "
        f"({reps} per design). cover: true place inside the 90 % interval; stated: posterior "
        "mass inside the interval (> 0.90 where integer places force a wider interval); "
        "cover_rt: with exact true ties broken at random; z>1.645: share of |error / SE| above "
        "1.645 (0.10 if normal and honest); se_ratio: pooled; se_within: the same with the SE "
        "of the score relative to its category's mean (the level across categories, which no "
        "place depends on, left out); se_affine: the same after a common stretch of each "
        "category's scale, in the error (q regressed on the score) and in the draws (each mapped "
        "onto the posterior mean's spread); stretch sd: sd of log of the error's slope; then the entries with a sheet at a bound and the "
        "design's special entries: count, cover, z>1.645, mean error / SE"
    )
    for name, make in U_DESIGNS.items():
        if name == "national":
            continue
        acc = {
            k: []
            for k in ("cov", "stated", "cov_rt", "z", "err", "se", "sew", "cen", "spc", "err_a")
        }
        acc["beta"], acc["sea"] = [], []
        label = None
        blocks, conv = [], []
        for rep in range(reps):
            rng = np.random.default_rng(7919 + 1000 * rep)
            out = make(rng)
            q, entry, judge, score = out[:4]
            opts = out[5] if len(out) > 5 else {}
            lo_b, hi_b = opts.get("bounds", (SCALE_MIN, SCALE_MAX))
            cat = opts.get("category")
            E = q.size
            u = rank_uncertainty(
                entry,
                judge,
                score,
                n_entries=E,
                group=cat,
                scale_min=lo_b,
                scale_max=hi_b,
                level=0.9,
                top_n=opts.get("top_n", 10),
                seed=rep,
            )
            rg = u.rank_group
            t_best, t_worst = _true_places(q, rg)
            jitter = np.random.default_rng(rep).random(E) * 1e-6
            t_rand = _true_rank(q + jitter, rg)
            rd = u.rank_draws
            inside = ((rd >= u.rank_lo) & (rd <= u.rank_hi)).mean(axis=0)
            cov = (t_worst >= u.rank_lo) & (t_best <= u.rank_hi)
            err = u.score_unclipped - q
            draws = u.score_draws.astype(float)
            for g in np.unique(rg):
                m = rg == g
                err[m] -= err[m].mean()
                draws[:, m] -= draws[:, m].mean(axis=1, keepdims=True)
            se_w = draws.std(axis=0, ddof=1)
            # the error left after a common stretch of each group's scale (q regressed on the
            # score: a unit the judges' average scale defines and no place depends on)
            err_a = np.empty(E)
            for g in np.unique(rg):
                m = rg == g
                x = u.score_unclipped[m] - u.score_unclipped[m].mean()
                yq = q[m] - q[m].mean()
                beta = float(x @ yq / (x @ x)) if x @ x > 0 else 1.0
                err_a[m] = (x - yq / beta) * np.sqrt(m.sum() / max(m.sum() - 2, 1))
            # ... and the SE with each draw mapped onto the posterior mean's level and spread
            mapped = draws.copy()
            for g in np.unique(rg):
                m = rg == g
                x = u.score_unclipped[m] - u.score_unclipped[m].mean()
                slope = (draws[:, m] @ x) / (x @ x) if x @ x > 0 else np.ones(len(draws))
                mapped[:, m] = draws[:, m] / np.where(slope > 0, slope, 1.0)[:, None]
            acc["err_a"].append(err_a)
            acc["sea"].append(mapped.std(axis=0, ddof=1))
            acc["beta"].append(np.full(1, beta))
            zz = err / u.se
            acc["cov"].append(cov)
            acc["stated"].append(inside)
            acc["cov_rt"].append((t_rand >= u.rank_lo) & (t_rand <= u.rank_hi))
            acc["z"].append(zz)
            acc["err"].append(err)
            acc["se"].append(u.se)
            acc["sew"].append(se_w)
            at_bound = (score <= lo_b) | (score >= hi_b)
            acc["cen"].append(np.bincount(entry[at_bound], minlength=E) > 0)
            if "special" in opts:
                label, mask = opts["special"]
                acc["spc"].append(mask)
            blocks.append(u.n_components if cat is not None else 0)
            conv.append(u.converged)
        c = {k: np.concatenate(v) for k, v in acc.items() if v}
        line = (
            f"{name:<16} cover {c['cov'].mean():.3f}  stated {c['stated'].mean():.3f}  "
            f"cover_rt {c['cov_rt'].mean():.3f}  z>1.645 {np.mean(np.abs(c['z']) > 1.645):.3f}  "
            f"se_ratio {np.sqrt(np.mean(c['err'] ** 2) / np.mean(c['se'] ** 2)):.3f}  "
            f"se_within {np.sqrt(np.mean(c['err'] ** 2) / np.mean(c['sew'] ** 2)):.3f}  "
            f"se_affine {np.sqrt(np.mean(c['err_a'] ** 2) / np.mean(c['sea'] ** 2)):.3f}  "
            f"stretch sd {np.std(np.log(c['beta'])):.3f}  "
            f"converged {np.mean(conv):.2f}"
        )
        for lab, m in (("at a bound", c["cen"]), (label, c.get("spc"))):
            if m is None or not m.any():
                continue
            line += (
                f"\n{'':<16}{lab}: {int(m.sum())}, cover {c['cov'][m].mean():.3f}, "
                f"z>1.645 {np.mean(np.abs(c['z'][m]) > 1.645):.3f}, "
                f"error/SE {np.mean(c['z'][m]):+.2f}; others cover {c['cov'][~m].mean():.3f}, "
                f"z>1.645 {np.mean(np.abs(c['z'][~m]) > 1.645):.3f}"
            )
        print(line)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--reps", type=int, default=12, help="replications per uncertainty design")
    ap.add_argument("--national-reps", type=int, default=2)
    ap.add_argument("--skip-methods", action="store_true")
    ap.add_argument("--skip-uncertainty", action="store_true")
    ap.add_argument(
        "--only",
        default=None,
        help="comma-separated uncertainty designs or families (kipp, s24, held: the held-out "
        "groups; held = the five designs written blind on 2026-12-04 evening; "
        "fatigue_controls: fatigue_drift and its three controls)",
    )
    ap.add_argument(
        "--normal-noise",
        action="store_true",
        help="rank_uncertainty with normal judge noise (as before 2026-12-04)",
    )
    ap.add_argument(
        "--no-retry",
        action="store_true",
        help="rank_uncertainty without the second, longer chain when R-hat > 1.1 (as before "
        "2026-12-04 afternoon)",
    )
    ap.add_argument(
        "--no-slips",
        action="store_true",
        help="rank_uncertainty reading every blunder as uniform over the rubric, no slips of "
        "scale (as before 2026-12-04 evening)",
    )
    ap.add_argument(
        "--diagnose",
        action="store_true",
        help="per-design diagnostics of rank_uncertainty (after the tables)",
    )
    ap.add_argument(
        "--no-panels",
        action="store_true",
        help="rank_uncertainty without the panel-aware prior (as before 2026-12-03)",
    )
    args = ap.parse_args(argv)
    if args.no_panels:
        import judging.normalize_posterior as core  # the sampler looks weak_blocks up there

        def one_block_per_group(entry, judge, n_entries, n_judges, **_kw):
            return core.judge_graph_components(entry, judge, n_entries, n_judges)

        core.weak_blocks = one_block_per_group
    if args.normal_noise:
        import judging.ranking as ranking  # rank_uncertainty looks sample_posterior up there

        ranking.sample_posterior = functools.partial(ranking.sample_posterior, robust=False)
    if args.no_slips:
        import judging.ranking as ranking

        ranking.sample_posterior = functools.partial(ranking.sample_posterior, slips=False)
    if args.no_retry:
        import judging.normalize_posterior as core  # read by sample_posterior at each call

        core.RHAT_RETRY = float("inf")
    if args.only:
        keep = set()
        for name in args.only.split(","):
            keep.update(FAMILIES.get(name, (name,)))
        unknown = keep - set(U_DESIGNS)
        if unknown:
            ap.error(f"unknown design(s): {', '.join(sorted(unknown))}")
        for k in list(U_DESIGNS):
            if k not in keep:
                del U_DESIGNS[k]
    if not args.skip_methods:
        methods_table(args)
    if not args.skip_uncertainty:
        uncertainty_table(args)
    if args.diagnose:
        diagnose(args.reps)


if __name__ == "__main__":
    main()
