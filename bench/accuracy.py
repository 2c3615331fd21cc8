"""Accuracy benchmark: which normalization method recovers the true quality best?

Simulated competitions with a known true quality per entry and judges with random offsets
(leniency), scales (spread) and noise, on four designs. For every method of
``judging.normalize`` it prints the Spearman correlation of the consensus with the truth and
the precision of the true top 10 (share of the true top 10 among the estimated top 10),
averaged over ``--seeds`` seeds, and the ratio of the default method to ``zscore``.

    python bench/accuracy.py [--seeds 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from judging.normalize import DEFAULT_METHOD, METHODS, normalize

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
                res = normalize(entry, judge, score, m, n_entries=q.size,
                                scale_min=SCALE_MIN, scale_max=SCALE_MAX)
                times[m] += time.perf_counter() - t0
                results[name][m][0].append(spearman(res.entry_score, q))
                results[name][m][1].append(precision_top(q, res.entry_score))
    return results, times


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=50)
    args = ap.parse_args(argv)
    results, times = run(args.seeds)
    print(f"seeds per design: {args.seeds}; default method: {DEFAULT_METHOD}")
    for metric, idx in (("Spearman correlation with the true quality", 0),
                        ("precision of the true top 10", 1)):
        print(f"\n{metric} (mean over seeds; +- standard error)")
        print(f"{'method':<12}" + "".join(f"{d:>22}" for d in DESIGNS))
        for m in METHODS:
            row = ""
            for d in DESIGNS:
                v = np.asarray(results[d][m][idx])
                row += f"{v.mean():>14.3f} +- {v.std(ddof=1) / np.sqrt(v.size):.3f}"
            print(f"{m:<12}" + row)
    print(f"\n{DEFAULT_METHOD} vs zscore (difference of means; ratio of 1 - Spearman, the share "
          "of rank disagreement left)")
    worse = []
    for d in DESIGNS:
        ds = np.mean(results[d][DEFAULT_METHOD][0]) - np.mean(results[d]["zscore"][0])
        dp = np.mean(results[d][DEFAULT_METHOD][1]) - np.mean(results[d]["zscore"][1])
        ratio = ((1 - np.mean(results[d][DEFAULT_METHOD][0]))
                 / (1 - np.mean(results[d]["zscore"][0])))
        print(f"  {d:<14} Spearman {ds:+.3f}  top-10 precision {dp:+.3f}  "
              f"(1-rho) ratio {ratio:.2f}")
        if ds < 0:
            worse.append(d)
    total = sum(times.values())
    print("\ntime per method (s, all designs and seeds): "
          + ", ".join(f"{m} {t:.2f}" for m, t in times.items()) + f"; total {total:.1f}")
    if worse:
        print(f"NOTE: {DEFAULT_METHOD} is below zscore on: {', '.join(worse)}")


if __name__ == "__main__":
    main()
