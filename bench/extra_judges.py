"""One more judge where it decides: does the predicted shrink of an entry's SE come true?

``judging.uncertainty.plan_extra_judges`` proposes one more judge for each entry whose place
at a cut is undecided (the committee page "Judge where it decides") and predicts the entry's
SE with that sheet (``se_new``) and its shrink (``1 - se_new / se_now``). Here, on simulated
competitions with a known truth (designs of ``bench/accuracy.py``; its ``_judges`` is wrapped
to keep each judge's true offset, scale and noise), per replication:

1. ``rank_uncertainty`` as the app calls it (``level`` 0.9, ``top_n`` the award cut, the
   rubric's bounds, ``across="assume_equal"``); the cuts are places 3 (award), 10 (Top 10) and
   a third of the entries (advancement); the undecided entries are those with a 10-90 %
   chance at any cut (``judging.analysis.uncertainty.undecided_entries``, no pass mark);
2. ``plan_extra_judges`` as the app calls it (``se``, ``judge_noise``, ``judge_scale`` of the
   fit, the stage's seed);
3. the proposed sheets are simulated from the SAME true model (the entry's true quality, the
   chosen judge's true offset, scale and noise; integer scores clipped to 0-100), every
   proposal at once (the page assigns them all), and the competition refitted (same seed).

Per proposed entry it records the predicted ``se_new``, the realised SE after the refit, the
predicted and realised shrink (``1 - se_after / se_before``) and whether the entry became
decided at every cut; and how the SE of the entries without a new sheet moved (their ratio is
the Monte Carlo noise floor of the realised figures, plus what the new sheets teach about the
judges). Alongside the planner's own prediction (``plan``: ``sqrt(1 / (1/se^2 +
scale^2/noise^2))``, the new judge's offset taken as known) it prints, on the same refits (the
choice of judges does not depend on the formula), two corrections that add the uncertainty of
the new judge's offset (``offset``) or of its whole line at the entry's score (``line``): see
:func:`corrected_se`. "page mean": the page's "about X % on average" (the mean predicted
shrink of a plan) and the realised mean, medians over replications.

    python bench/extra_judges.py [--reps 40] [--national-reps 10] [--only small,national,...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import accuracy  # noqa: E402  (bench/accuracy.py: the designs)

from judging.ranking import rank_uncertainty  # noqa: E402
from judging.uncertainty import boundary_decisions, plan_extra_judges  # noqa: E402

LO, HI = 0.1, 0.9  # judging.analysis.uncertainty.DECIDED_LO / DECIDED_HI
SEED0 = 4241  # replication r uses np.random.default_rng(SEED0 + 1000 * r) and fit seed r

_TRUTH: list = []
_judges_of_design = accuracy._judges


def _recording_judges(rng, n, noisy_share=0.0):
    """``accuracy._judges``, keeping the true (offset, scale, noise) it returns (the designs
    change them in place afterwards, e.g. two_groups' lenient group: the same arrays)."""
    out = _judges_of_design(rng, n, noisy_share)
    _TRUTH.append(out)
    return out


accuracy._judges = _recording_judges  # the designs look _judges up in their module


DESIGNS = {
    "small": accuracy.u_small,  # 45 entries, 9 judges, 3 per entry
    "thin_150x2": accuracy.h_thin,  # held out: 150 entries, 15 judges, 2 per entry
    "unequal_load": accuracy.h_unequal_load,  # held out: 2 judges write 40 % of the sheets
    "two_groups": accuracy.u_two_groups,  # two groups of judges sharing no entry
    "clustered": accuracy._old_design(accuracy.design_clustered),  # 5 panels + 3 roaming
    "national": accuracy.u_national,  # 3,000 entries, 300 judges, 5 per entry
}


def corrected_se(se, noise, scale, e, j, entry, judge, score, se_all):
    """Two candidate corrections of the planner's formula, for entries ``e`` and their new
    judges ``j`` (``se`` the entries' SE now), returned as (line, offset): the new sheet's
    noise variance plus the uncertainty of the judge's line at the entry's score (``line``:
    the regression prediction variance ``v / n_j * (1 + (z_e - zbar_j)^2 / var_j(z))``, ``v``
    = the judge's noise^2 plus scale^2 times its entries' mean se^2, ``n_j`` its sheets,
    ``zbar_j``/``var_j(z)`` the mean and variance of its entries' scores) or of its offset
    only (``offset``: ``v / n_j``)."""
    J = noise.size
    n = np.bincount(judge, minlength=J).astype(float)
    z = np.nan_to_num(score)
    zs = np.bincount(judge, weights=z[entry], minlength=J)
    zz = np.bincount(judge, weights=z[entry] ** 2, minlength=J)
    s2 = np.bincount(judge, weights=np.nan_to_num(se_all[entry]) ** 2, minlength=J)
    with np.errstate(invalid="ignore", divide="ignore"):
        zbar = zs / n
        varz = np.maximum(zz / n - zbar**2, 1e-9)
        v = noise**2 + scale**2 * s2 / n
        var_line = v[j] / n[j] * (1.0 + (z[e] - zbar[j]) ** 2 / varz[j])
        var_off = v[j] / n[j]
    full = np.sqrt(1.0 / (1.0 / se**2 + scale[j] ** 2 / (noise[j] ** 2 + var_line)))
    off = np.sqrt(1.0 / (1.0 / se**2 + scale[j] ** 2 / (noise[j] ** 2 + var_off)))
    return full, off


def one_rep(make, rep):
    rng = np.random.default_rng(SEED0 + 1000 * rep)
    _TRUTH.clear()
    out = make(rng)
    q, entry, judge, score = out[:4]
    if len(_TRUTH) != 1:
        raise RuntimeError("design did not draw its judges once through accuracy._judges")
    off, sc, ns = _TRUTH[0]
    E, J = q.size, off.size
    cuts = [3, 10, max(11, E // 3)]
    t0 = time.process_time()
    kw = dict(n_entries=E, n_judges=J, scale_min=0.0, scale_max=100.0, level=0.9, top_n=3)
    u0 = rank_uncertainty(entry, judge, score, seed=rep, **kw)
    dec0 = boundary_decisions(u0, cuts, lo=LO, hi=HI)
    und = np.flatnonzero(np.any([b.undecided for b in dec0.boundaries], axis=0))
    plan = plan_extra_judges(
        entry,
        judge,
        und,
        J,
        se=u0.se,
        judge_noise=u0.judge_noise,
        judge_scale=u0.judge_scale,
        seed=rep,
    )
    new_rng = np.random.default_rng(SEED0 + 1000 * rep + 1)
    new = accuracy._int_scores(new_rng, q, plan.entry, plan.judge, off, sc, ns)
    u1 = rank_uncertainty(
        np.concatenate([entry, plan.entry]),
        np.concatenate([judge, plan.judge]),
        np.concatenate([score, new]),
        seed=rep,
        **kw,
    )
    cpu = time.process_time() - t0
    dec1 = boundary_decisions(u1, cuts, lo=LO, hi=HI)
    und1 = np.any([b.undecided for b in dec1.boundaries], axis=0)
    e = plan.entry
    before, after = u0.se[e], u1.se[e]
    corr, corr_off = corrected_se(
        before,
        u0.judge_noise,
        u0.judge_scale,
        e,
        plan.judge,
        entry,
        judge,
        u0.score_unclipped,
        u0.se,
    )
    others = np.setdiff1d(np.flatnonzero(np.isfinite(u0.se)), e)
    return {
        "se_before": before,
        "se_after": after,
        "pred_plan": plan.se_new,
        "pred_line": corr,
        "pred_offset": corr_off,
        "bridges": plan.bridges,
        "decided_after": ~und1[e],
        "other_ratio": u1.se[others] / u0.se[others],
        "n_undecided": und.size,
        "n_proposed": e.size,
        "cpu": cpu,
    }


def _q(x):
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return "      n/a       "
    a, b, c = np.percentile(x, [25, 50, 75])
    return f"{b:5.3f} [{a:5.3f}-{c:5.3f}]"


def table(reps, names, national_reps=10):
    print(
        f"{'design':<13} {'reps':>4} {'und':>5} {'prop':>5} {'formula':<6} "
        f"{'real/pred SE':>20} {'pred shrink':>20} {'real shrink':>20} "
        f"{'page mean':>11} {'decided':>7} {'others SE':>20} {'cpu/rep':>7}"
    )
    summary = {}
    for name in names:
        make = DESIGNS[name]
        n_rep = national_reps if name == "national" else reps
        rows = [one_rep(make, rep) for rep in range(n_rep)]
        cat = {k: np.concatenate([np.atleast_1d(r[k]) for r in rows]) for k in rows[0]}
        real_shrink = 1.0 - cat["se_after"] / cat["se_before"]
        cpu = float(np.median([r["cpu"] for r in rows]))
        for label in ("plan", "offset", "line"):
            pred = cat[f"pred_{label}"]
            ratio = cat["se_after"] / pred
            pred_shrink = 1.0 - pred / cat["se_before"]
            summary[(name, label)] = float(np.nanmedian(ratio))
            page = []  # the page's "about X % on average": predicted and realised, per rep
            for r in rows:
                p = 1.0 - r[f"pred_{label}"] / r["se_before"]
                ok = np.isfinite(p)
                real = 1.0 - r["se_after"] / r["se_before"]
                if ok.any():
                    page.append((p[ok].mean(), real[ok].mean()))
            pm, rm = np.median(np.array(page), axis=0)
            print(
                f"{name:<13} {n_rep:>4} {int(cat['n_undecided'].sum()):>5} "
                f"{int(cat['n_proposed'].sum()):>5} {label:<6} {_q(ratio):>20} "
                f"{_q(pred_shrink):>20} {_q(real_shrink):>20} "
                f"{pm:>5.3f}/{rm:5.3f} {cat['decided_after'].mean():>7.2f} {_q(cat['other_ratio']):>20} "
                f"{cpu:>6.1f}s",
                flush=True,
            )
        br = cat["bridges"]
        if br.any() and (~br).any():
            for flag, label in ((True, "links groups"), (False, "within a group")):
                m = br == flag
                print(
                    f"{'':<13} {label}: {int(m.sum())} proposals, real/pred SE (plan) "
                    f"{_q(cat['se_after'][m] / cat['pred_plan'][m])}, pred shrink "
                    f"{_q(1 - cat['pred_plan'][m] / cat['se_before'][m])}, real shrink "
                    f"{_q(real_shrink[m])}"
                )
        elif br.any():
            print(f"{'':<13} every proposal links two groups of judges")
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--national-reps", type=int, default=10)
    ap.add_argument("--only", default=None, help="comma-separated designs: " + ", ".join(DESIGNS))
    args = ap.parse_args(argv)
    names = list(DESIGNS) if not args.only else args.only.split(",")
    unknown = set(names) - set(DESIGNS)
    if unknown:
        ap.error(f"unknown design(s): {', '.join(sorted(unknown))}")
    print(
        f"reps {args.reps}, data seeds {SEED0} + 1000 r (+1 for the new sheets), fit seed r; "
        f"cuts 3, 10, max(11, E/3); undecided: 10-90 % at a cut; CPU = both fits per rep "
        f"(median); quartiles over proposed entries pooled over reps"
    )
    t0 = time.process_time()
    table(args.reps, names, args.national_reps)
    print(f"total CPU {time.process_time() - t0:.0f} s")


if __name__ == "__main__":
    main()
