"""Typing-mistake benchmark: does the judge model find the sheets a judge mistyped, and leave
honest sheets alone?

Simulated stages with a known set of mistyped sheets, scored 0-100 as KIPP rubrics are. Kinds
of mistake: a sheet typed on a 1-10 scale (every criterion divided by 10: 86.5 -> 8.65), a
digit dropped from the total (73 -> 7) and a random total (a slip of the hand anywhere on the
scale). Designs: a small open stage as in the demo (judges with 1-4 submitted sheets), small and
national complete designs, and honest stages with truly low scores (a harsh judge, weak
entries) where nothing should be listed. For every design it prints, over ``--reps``
replications: the share of mistakes listed (P(mistake) >= 0.5, the ranking page's threshold),
the same among the mistakes 20 points or more from what the judge meant ("far": a random total
can land near it and be harmless), the median and smallest P of the mistakes, honest sheets listed per 1,000 and the median over replications
of the largest P of an honest sheet, and the CPU time per fit. ``--compare`` adds the model
without slips of scale (``slips=False``: every blunder uniform over the rubric, as before
2026-12-04 evening), same data, same run.

    python bench/mistakes.py [--reps 12] [--only demo_open,...] [--compare]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from judging.normalize_posterior import sample_posterior  # noqa: E402

LO, HI = 0.0, 100.0
THRESHOLD = 0.5  # judging.analysis.blunders.THRESHOLD
FAR = 20.0  # a mistake this many points from what the judge meant, the ones a committee would see


def _judges(rng, n):
    return rng.normal(0.0, 6.0, n), np.exp(rng.normal(0.0, 0.25, n)), rng.uniform(2.5, 5.0, n)


def _panels(rng, E, J, k):
    keys = rng.random((E, J))
    judge = np.argsort(keys, axis=1)[:, :k].ravel()
    return np.repeat(np.arange(E), k), judge


def _totals(rng, q, entry, judge, off, sc, ns, decimals=True):
    """Totals of a 5-criteria rubric: criterion values around the judge's line, weighted mean."""
    line = (
        60.0 + off[judge] + sc[judge] * (q[entry] - 60.0) + rng.normal(0, 1, entry.size) * ns[judge]
    )
    crit = np.clip(np.round(line[:, None] + rng.normal(0, 3.0, (entry.size, 5))), LO, HI)
    w = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
    total = crit @ w
    return (np.round(total, 2) if decimals else np.round(total)), crit, w


def _mistype(rng, y, crit, w, idx, kind):
    y = y.copy()
    for i, kd in zip(idx, kind, strict=True):
        if kd == "scale10":  # every criterion typed on a 1-10 scale
            y[i] = round(float(np.round(crit[i] / 10.0, 1) @ w), 2)
        elif kd == "digit":  # a digit of the total dropped
            y[i] = float(np.floor(y[i] / 10.0))
        else:  # a random total
            y[i] = float(np.round(rng.uniform(LO, HI)))
    return y


def _with_mistakes(rng, q, entry, judge, params, n_mistakes, kinds):
    y, crit, w = _totals(rng, q, entry, judge, *params)
    idx = rng.choice(entry.size, n_mistakes, replace=False)
    kind = rng.choice(kinds, n_mistakes)
    return entry, judge, _mistype(rng, y, crit, w, idx, kind), idx, y


def _open_stage(rng, E, J):
    """A stage still open, as the demo's: 3 judges per entry, each judge has submitted 20-80 %
    of their sheets (by judge), and at least three sheets are in."""
    entry, judge = _panels(rng, E, J, 3)
    share = 0.2 + 0.6 * (np.arange(J) % 4) / 3
    keep = rng.random(entry.size) < share[judge]
    keep[rng.choice(entry.size, 3, replace=False)] = True
    return entry[keep], judge[keep]


def d_demo_open(rng):
    """An open presentation stage like the demo's: 10 finalists, 9 judges, 3 per entry; each
    judge has submitted 20-80 % of their sheets (21 or so of 30); one sheet on a 1-10 scale."""
    E, J = 10, 9
    q = rng.normal(75.0, 8.0, E)
    entry, judge = _open_stage(rng, E, J)
    return _with_mistakes(rng, q, entry, judge, _judges(rng, J), 1, ["scale10"])


def d_demo_like(rng):
    """The demo's judges (``judging/demo/data/judges.csv``: leniency -18 to +16 points, spread
    0.6-1.2, noise 4-12 points) on 10 strong finalists (quality about 80, so a lenient judge
    hits 100), 3 judges per entry, 20-80 % of each judge's sheets submitted; one sheet of a
    judge with the most sheets typed on a 1-10 scale."""
    E, J = 10, 9
    q = rng.normal(80.0, 6.0, E)
    entry, judge = _open_stage(rng, E, J)
    params = rng.normal(0.0, 11.0, J), rng.uniform(0.6, 1.2, J), rng.uniform(4.0, 12.0, J)
    y, crit, w = _totals(rng, q, entry, judge, *params)
    busiest = np.argmax(np.bincount(judge, minlength=J))
    idx = np.array([rng.choice(np.flatnonzero(judge == busiest))])
    return entry, judge, _mistype(rng, y, crit, w, idx, ["scale10"]), idx, y


def d_small_digit(rng):
    """15 entries, 9 judges, 3 per entry (45 sheets), one dropped digit."""
    q = rng.normal(65.0, 10.0, 15)
    entry, judge = _panels(rng, 15, 9, 3)
    return _with_mistakes(rng, q, entry, judge, _judges(rng, 9), 1, ["digit"])


def d_small_random(rng):
    """45 entries, 9 judges, 3 per entry, two random totals."""
    q = rng.normal(60.0, 10.0, 45)
    entry, judge = _panels(rng, 45, 9, 3)
    return _with_mistakes(rng, q, entry, judge, _judges(rng, 9), 2, ["random"])


def d_mixed(rng):
    """60 entries, 12 judges, 3 per entry, 4 mistakes of any kind."""
    q = rng.normal(60.0, 10.0, 60)
    entry, judge = _panels(rng, 60, 12, 3)
    return _with_mistakes(rng, q, entry, judge, _judges(rng, 12), 4, ["scale10", "digit", "random"])


def d_national(rng):
    """600 entries, 60 judges, 5 per entry (3,000 sheets), 1 % mistakes of any kind."""
    q = rng.normal(60.0, 10.0, 600)
    entry, judge = _panels(rng, 600, 60, 5)
    return _with_mistakes(
        rng, q, entry, judge, _judges(rng, 60), 30, ["scale10", "digit", "random"]
    )


def d_honest_low(rng):
    """Honest stage with truly low totals: 30 entries of quality 10-95 (many weak), 9 judges,
    one very harsh (offset -25, scale 1.3): honest totals from 0 to 100, none mistyped."""
    q = rng.uniform(10.0, 95.0, 30)
    entry, judge = _panels(rng, 30, 9, 3)
    off, sc, ns = _judges(rng, 9)
    off[0], sc[0] = -25.0, 1.3
    y, _crit, _w = _totals(rng, q, entry, judge, off, sc, ns)
    return entry, judge, y, np.zeros(0, int), y


def d_honest_open(rng):
    """The demo-like open stage without mistakes, weaker finalists (quality 40-90)."""
    E, J = 10, 9
    q = rng.uniform(40.0, 90.0, E)
    entry, judge = _open_stage(rng, E, J)
    y, _crit, _w = _totals(rng, q, entry, judge, *_judges(rng, J))
    return entry, judge, y, np.zeros(0, int), y


DESIGNS = {
    "demo_open": d_demo_open,
    "demo_like": d_demo_like,
    "small_digit": d_small_digit,
    "small_random": d_small_random,
    "mixed": d_mixed,
    "national": d_national,
    "honest_low": d_honest_low,
    "honest_open": d_honest_open,
}


def measure(make, reps, seed0, **kw):
    found = total = honest_flagged = honest_total = far_found = far_total = 0
    p_mistakes, max_honest, cpu = [], [], 0.0
    for rep in range(reps):
        rng = np.random.default_rng(seed0 + rep)
        entry, judge, y, idx, meant = make(rng)
        t = time.process_time()
        post = sample_posterior(entry, judge, y, scale_min=LO, scale_max=HI, seed=rep, **kw)
        cpu += time.process_time() - t
        p = post.sheet_blunder
        bad = np.zeros(y.size, bool)
        bad[idx] = True
        found += int((p[bad] >= THRESHOLD).sum())
        total += int(bad.sum())
        far = bad & (np.abs(y - meant) >= FAR)
        far_found += int((p[far] >= THRESHOLD).sum())
        far_total += int(far.sum())
        p_mistakes.extend(p[bad].tolist())
        honest_flagged += int((p[~bad] >= THRESHOLD).sum())
        honest_total += int((~bad).sum())
        max_honest.append(float(p[~bad].max()))
    return {
        "listed": found / total if total else float("nan"),
        "far": far_found / far_total if far_total else float("nan"),
        "p_med": float(np.median(p_mistakes)) if p_mistakes else float("nan"),
        "p_min": float(np.min(p_mistakes)) if p_mistakes else float("nan"),
        "honest_per_1000": 1000.0 * honest_flagged / honest_total,
        "honest_max": float(np.median(max_honest)),
        "cpu": cpu / reps,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=12)
    ap.add_argument("--only", default="")
    ap.add_argument("--compare", action="store_true", help="also without the scale-slip part")
    args = ap.parse_args(argv)
    names = [n for n in DESIGNS if not args.only or n in args.only.split(",")]
    variants = [("now", {})]
    if args.compare:
        variants.append(("uniform only", {"slips": False}))
    print(
        f"{'design':<13} {'variant':<13} {'listed':>7} {'far':>5} {'P med':>6} {'P min':>6} "
        f"{'honest/1000':>11} {'honest max':>10} {'CPU/fit':>8}"
    )
    for name in names:
        for label, kw in variants:
            m = measure(DESIGNS[name], args.reps, 9100, **kw)
            print(
                f"{name:<13} {label:<13} {m['listed']:>7.2f} {m['far']:>5.2f} {m['p_med']:>6.2f} "
                f"{m['p_min']:>6.2f} {m['honest_per_1000']:>11.1f} {m['honest_max']:>10.2f} "
                f"{m['cpu']:>7.3f}s"
            )


if __name__ == "__main__":
    main()
