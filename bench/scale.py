"""Scale benchmark: 50,000 entries, 2,000 judges, 5 judges per entry (250,000 sheets).

Prints the time of every normalization method and of the bootstrap (1,000 resamples), the
ratio of the numpy ``zscore`` against a straightforward pure-Python implementation of the same
method run in the same process (and checks that both give the same numbers), and peak memory
(tracemalloc peak per step, and the process's maximum resident set size).

Then the issue-14 figures, each against a baseline measured in the same run: the default point
scores (``normalize`` with ``DEFAULT_METHOD``) against the implementation before issue 14 (read
from git, ``--baseline-rev``), also on 250,000 sheets of judges who do not agree at all;
``rank_uncertainty`` on the national round (3,000 entries, 300 judges, 5 per entry) and on the
250,000 sheets, against today's default uncertainty (``bootstrap_ranks`` + ``near_ties``).
Medians of ``--repeat`` runs.

The default fit against ``--speed-rev`` also says whether every field of the result is the
same to the last bit (``bit-identical``), and how far its scores are from the model's fixed
point, against the Anderson-accelerated fit to that point (``solver="anderson"``).

    python bench/scale.py [--small] [--repeat 3] [--n-boot 1000] [--only-issue14]
    python bench/scale.py --only-default   # just the default point scores, now vs before
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from judging.normalize import DEFAULT_METHOD, METHODS, normalize
from judging.ranking import bootstrap_ranks, near_ties, rank_entries, rank_uncertainty

BASELINE_REV = "db19db4"  # main before issue 14
# main before the third speed-up of the default point scores (2026-12-04, branch speed: blocks
# of sheets in the cache, union-find in chunks); the first's baseline was 6e57432, the
# second's 2fb2c00
SPEED_REV = "d526743"


def make_data(n_entries, n_judges, per_entry, seed=0):
    rng = np.random.default_rng(seed)
    q = rng.normal(60.0, 10.0, n_entries)
    offset = rng.normal(0.0, 6.0, n_judges)
    scale = np.exp(rng.normal(0.0, 0.3, n_judges))
    noise = rng.uniform(3.0, 6.0, n_judges)
    # per_entry distinct judges per entry: start + k * step (mod n_judges), step small enough
    start = rng.integers(0, n_judges, n_entries)
    step = rng.integers(1, max(2, n_judges // per_entry), n_entries)
    judge = ((start[:, None] + np.arange(per_entry)[None, :] * step[:, None]) % n_judges).ravel()
    entry = np.repeat(np.arange(n_entries), per_entry)
    score = 60.0 + offset[judge] + scale[judge] * (q[entry] - 60.0)
    score += rng.normal(0.0, 1.0, entry.size) * noise[judge]
    return entry, judge, np.clip(score, 0.0, 100.0), q


def zscore_pure_python(entry, judge, score, n_entries):
    """The zscore method of judging.normalize, written plainly over Python lists."""
    n_j = max(judge) + 1
    cnt = [0] * n_j
    tot = [0.0] * n_j
    for j, s in zip(judge, score):
        cnt[j] += 1
        tot[j] += s
    mean = [t / c if c else 0.0 for t, c in zip(tot, cnt)]
    ss = [0.0] * n_j
    for j, s in zip(judge, score):
        d = s - mean[j]
        ss[j] += d * d
    sd = [math.sqrt(v / c) if c else 0.0 for v, c in zip(ss, cnt)]
    n = len(score)
    pooled_mean = sum(score) / n
    pooled_sd = math.sqrt(sum((s - pooled_mean) ** 2 for s in score) / n)
    e_cnt = [0] * n_entries
    e_tot = [0.0] * n_entries
    for e, j, s in zip(entry, judge, score):
        z = (s - mean[j]) / sd[j] if sd[j] > 1e-12 else 0.0
        e_cnt[e] += 1
        e_tot[e] += pooled_mean + z * pooled_sd
    return [t / c if c else float("nan") for t, c in zip(e_tot, e_cnt)]


def zscore_straightforward(sheets):
    """The same zscore method as a developer would first write it: sheet records (tuples),
    grouped in dicts of lists."""
    by_judge = {}
    for _, j, s in sheets:
        by_judge.setdefault(j, []).append(s)
    stats = {}
    for j, vals in by_judge.items():
        m = sum(vals) / len(vals)
        stats[j] = (m, math.sqrt(sum((v - m) ** 2 for v in vals) / len(vals)))
    scores = [s for _, _, s in sheets]
    pm = sum(scores) / len(scores)
    psd = math.sqrt(sum((s - pm) ** 2 for s in scores) / len(scores))
    per_entry = {}
    for e, j, s in sheets:
        m, sd = stats[j]
        z = (s - m) / sd if sd > 1e-12 else 0.0
        per_entry.setdefault(e, []).append(pm + z * psd)
    return {e: sum(v) / len(v) for e, v in per_entry.items()}


def best_time(fn, repeat):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def median_time(fn, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def _load():
    """The 1-minute load average (timings on a shared machine are only comparable within a
    run)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def _git(root, *args):
    return subprocess.run(
        ["git", "-C", root, *args], capture_output=True, text=True, check=True
    ).stdout


def load_baseline(rev, name="baseline_normalize"):
    """``judging.normalize`` as it was at git revision ``rev``, as a module (None without git).

    Up to the split of 2026-12-03 it is one file, run as a module of its own; from then on it
    imports its method modules (``judging/normalize_*.py``), which are written at that
    revision into a temporary package ``name`` (their imports renamed to it), so that the
    baseline never mixes in today's modules."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    try:
        files = [
            f
            for f in _git(root, "ls-tree", "--name-only", rev, "judging/").split()
            if os.path.basename(f).startswith("normalize") and f.endswith(".py")
        ]
        sources = {f: _git(root, "show", f"{rev}:{f}") for f in files}
    except (OSError, subprocess.CalledProcessError):
        return None
    if list(sources) == ["judging/normalize.py"]:
        mod = types.ModuleType(name)
        sys.modules[mod.__name__] = mod
        # our own file at a known revision of this repository, read through git
        src = sources["judging/normalize.py"]
        exec(compile(src, f"{rev}:judging/normalize.py", "exec"), mod.__dict__)  # noqa: S102
        return mod
    tmp = tempfile.mkdtemp(prefix="juri-baseline-")
    atexit.register(shutil.rmtree, tmp, True)
    os.mkdir(os.path.join(tmp, name))
    open(os.path.join(tmp, name, "__init__.py"), "w").close()
    for f, src in sources.items():
        with open(os.path.join(tmp, name, os.path.basename(f)), "w") as out:
            out.write(src.replace("judging.normalize", f"{name}.normalize"))
    sys.path.insert(0, tmp)
    return importlib.import_module(f"{name}.normalize")


def issue14(args):
    print(
        f"\nIssue 14 figures (median of {args.repeat} runs; baseline = {args.baseline_rev} "
        f"in the same process); load average {_load()}"
    )
    n_e, n_j = (5_000, 200) if args.small else (50_000, 2_000)
    entry, judge, score, _ = make_data(n_e, n_j, 5)
    score = np.round(score)  # integer rubric
    old = load_baseline(args.baseline_rev)
    rng = np.random.default_rng(1)
    noise = np.round(rng.uniform(20.0, 90.0, entry.size))
    print(
        f"\ndefault point scores ({DEFAULT_METHOD}), {entry.size} sheets   now      baseline "
        "ratio  iterations now/baseline, converged"
    )
    for label, y in (("agreeing judges", score), ("judges who do not agree", noise)):
        if old is None:
            t_new, r_new = median_time(
                lambda y=y: normalize(entry, judge, y, n_entries=n_e), args.repeat
            )
            print(f"  {label:<40} {t_new:7.3f}  (no git: no baseline)")
            continue
        # interleaved, the order alternating; wall and CPU (time.process_time) medians
        runs = {"now": ([], []), "old": ([], [])}
        for i in range(args.repeat):
            for key in ("now", "old") if i % 2 == 0 else ("old", "now"):
                fn = normalize if key == "now" else old.normalize
                w0, c0 = time.perf_counter(), time.process_time()
                res = fn(entry, judge, y, n_entries=n_e)
                runs[key][0].append(time.perf_counter() - w0)
                runs[key][1].append(time.process_time() - c0)
                if key == "now":
                    r_new = res
                else:
                    r_old = res
        t_new, c_new = (float(np.median(v)) for v in runs["now"])
        t_old, c_old = (float(np.median(v)) for v in runs["old"])
        diff = np.nanmax(np.abs(r_new.entry_score - r_old.entry_score))
        print(
            f"  {label:<40} {t_new:7.3f}  {t_old:7.3f}  {t_old / t_new:5.2f}x  "
            f"{r_new.n_iter}/{r_old.n_iter}, {r_new.converged}/{r_old.converged}  "
            f"(max score difference {diff:.3f}); CPU {c_new:.3f} / {c_old:.3f} s "
            f"({c_old / c_new:.2f}x; the baseline's BLAS threads count in it: "
            f"OPENBLAS_NUM_THREADS=1 keeps them out); load average {_load()}"
        )

    prev = load_baseline(args.speed_rev, "speed_normalize")
    if prev is not None:
        fields = ("entry_score", "entry_se", "sheet_score", "sheet_weight", "judge_offset")
        fields += ("judge_scale", "judge_noise", "judge_reliability")
        print(
            f"\ndefault point scores against {args.speed_rev} (before the speed-up), same data, "
            f"runs interleaved, median of {max(args.repeat, 5)}:"
        )
        for label, y in (("agreeing judges", score), ("judges who do not agree", noise)):
            t_now, t_prev, c_now, c_prev = [], [], [], []
            for _ in range(max(args.repeat, 5)):
                c0 = time.process_time()
                t_a, r_new = median_time(lambda y=y: normalize(entry, judge, y, n_entries=n_e), 1)
                c1 = time.process_time()
                t_b, r_old = median_time(
                    lambda y=y: prev.normalize(entry, judge, y, n_entries=n_e), 1
                )
                c_now.append(c1 - c0)
                c_prev.append(time.process_time() - c1)
                t_now.append(t_a)
                t_prev.append(t_b)
            diff = max(
                float(np.nanmax(np.abs(getattr(r_new, f) - getattr(r_old, f)))) for f in fields
            )
            same = r_new.n_iter == r_old.n_iter and all(
                np.array_equal(getattr(r_new, f), getattr(r_old, f), equal_nan=True)
                and np.array_equal(np.signbit(getattr(r_new, f)), np.signbit(getattr(r_old, f)))
                for f in fields
            )
            ratios = np.asarray(t_prev) / np.asarray(t_now)
            print(
                f"  {label:<28} now {np.median(t_now):.3f} s, before {np.median(t_prev):.3f} s, "
                f"ratio of medians {np.median(t_prev) / np.median(t_now):.2f}x (per pair "
                f"{ratios.min():.2f}-{ratios.max():.2f}x); iterations {r_new.n_iter}/"
                f"{r_old.n_iter}; largest difference in any field {diff:.1e}; "
                f"bit-identical: {'yes' if same else 'NO'}"
            )
            print(
                f"  {'':<28} CPU (time.process_time) now {np.median(c_now):.3f} s, before "
                f"{np.median(c_prev):.3f} s, ratio {np.median(c_prev) / np.median(c_now):.2f}x; "
                f"load average {_load()}"
            )
    fixed_point_figures(entry, judge, score, n_e, max(args.repeat, 5))
    if args.only_default:
        return

    for name, (ne, nj) in (("national round", (3_000, 300)), (f"{n_e:,} entries", (n_e, n_j))):
        e2, j2, y2, q2 = make_data(ne, nj, 5, seed=3)
        y2 = np.round(y2)
        reps = args.repeat if ne <= 5_000 else 1
        t_u, u = median_time(
            lambda e2=e2, j2=j2, y2=y2, ne=ne: rank_uncertainty(
                e2, j2, y2, n_entries=ne, scale_min=0, scale_max=100
            ),
            reps,
        )

        def today(e2=e2, j2=j2, y2=y2, ne=ne):
            r = normalize(e2, j2, y2, n_entries=ne)
            b = bootstrap_ranks(r, e2, n_boot=1000, level=0.9, seed=0)
            return r, b, near_ties(r.entry_score, r.entry_se)

        t_b, (_, b, _) = median_time(today, reps)
        true = rank_entries(q2).rank
        cov_u = np.mean((true >= u.rank_lo) & (true <= u.rank_hi))
        cov_b = np.mean((true >= b.rank_lo) & (true <= b.rank_hi))
        print(
            f"\nrank_uncertainty, {name} ({e2.size:,} sheets): {t_u:.2f} s "
            f"(today's default, bias_scale + 1,000 bootstrap resamples + near_ties: "
            f"{t_b:.2f} s, ratio {t_u / t_b:.2f}); 90% place-interval coverage {cov_u:.3f} "
            f"(today {cov_b:.3f}); converged {u.converged} (R-hat {u.rhat:.3f})"
        )


def fixed_point_figures(entry, judge, score, n_e, repeat):
    """The default fit against the model's fixed point, and the Anderson-accelerated fit to it
    (``solver="anderson"``), CPU times interleaved in one process (medians of ``repeat``).

    The fixed point is the default fit run to a tight tolerance (``tol=1e-10``; its last
    linear solve's tolerance of 1e-6 leaves it about 1e-5 points off: on small stages the tests
    compare with a dense reference, ``tests/judging/normalize_reference.py``)."""
    t0 = time.process_time()
    tight = normalize(entry, judge, score, n_entries=n_e, tol=1e-10, max_iter=5000)
    t_tight = time.process_time() - t0
    c_def, c_and = [], []
    for _ in range(repeat):
        c0 = time.process_time()
        r_def = normalize(entry, judge, score, n_entries=n_e)
        c1 = time.process_time()
        r_and = normalize(entry, judge, score, n_entries=n_e, solver="anderson")
        c_def.append(c1 - c0)
        c_and.append(time.process_time() - c1)
    off_def = float(np.nanmax(np.abs(r_def.entry_score - tight.entry_score)))
    off_and = float(np.nanmax(np.abs(r_and.entry_score - tight.entry_score)))
    print(
        f"\nthe model's fixed point ({entry.size:,} sheets, agreeing judges; the default run to "
        f"tol 1e-10: {tight.n_iter} iterations, CPU {t_tight:.2f} s), CPU medians of {repeat}, "
        f"load average {_load()}:"
    )
    print(
        f"  default (alternating, tol 1e-3)   CPU {np.median(c_def):.3f} s, {r_def.n_iter} "
        f"iterations, largest distance of a score from the fixed point {off_def:.1e} points"
    )
    print(
        f"  solver='anderson'                 CPU {np.median(c_and):.3f} s, {r_and.n_iter} "
        f"evaluations, converged {r_and.converged}, largest distance {off_and:.1e} points; "
        f"CPU ratio to the default {np.median(c_and) / np.median(c_def):.2f}"
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="5,000 entries, 200 judges")
    ap.add_argument("--repeat", type=int, default=3, help="best of N timings")
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--baseline-rev", default=BASELINE_REV)
    ap.add_argument("--speed-rev", default=SPEED_REV)
    ap.add_argument("--only-issue14", action="store_true")
    ap.add_argument(
        "--only-default",
        action="store_true",
        help="only the default point scores against --baseline-rev and --speed-rev",
    )
    args = ap.parse_args(argv)
    if args.only_issue14 or args.only_default:
        issue14(args)
        return
    n_e, n_j = (5_000, 200) if args.small else (50_000, 2_000)
    entry, judge, score, q = make_data(n_e, n_j, 5)
    print(
        f"{n_e} entries, {n_j} judges, {entry.size} sheets; numpy {np.__version__}; "
        f"best of {args.repeat}"
    )
    results = {}
    print("\nmethod        time (s)  correlation with the true quality")
    for m in METHODS:
        t, res = best_time(
            lambda m=m: normalize(entry, judge, score, m, n_entries=n_e), args.repeat
        )
        results[m] = (t, res)
        c = np.corrcoef(res.entry_score, q)[0, 1]
        flag = "" if t < 1.0 else "   <-- over 1 s"
        print(f"{m:<12} {t:9.3f}  {c:.4f}{flag}")

    t_rank, _ = best_time(lambda: rank_entries(results[DEFAULT_METHOD][1].entry_score), args.repeat)
    print(f"rank_entries {t_rank:9.3f}")
    res = results[DEFAULT_METHOD][1]
    t0 = time.perf_counter()
    boot = bootstrap_ranks(res, entry, n_boot=args.n_boot, top_n=10, seed=0)
    t_boot = time.perf_counter() - t0
    width = (boot.rank_hi - boot.rank_lo).mean()
    print(
        f"bootstrap    {t_boot:9.3f}  ({args.n_boot} resamples of {DEFAULT_METHOD}; "
        f"mean 95% rank-interval width {width:.0f} places)"
    )

    e_list, j_list, s_list = entry.tolist(), judge.tolist(), score.tolist()
    t_np = results["zscore"][0]
    z_np = results["zscore"][1].entry_score
    t_lean, lean = best_time(lambda: zscore_pure_python(e_list, j_list, s_list, n_e), args.repeat)
    sheets = list(zip(e_list, j_list, s_list))
    t_plain, plain = best_time(lambda: zscore_straightforward(sheets), args.repeat)
    plain_arr = np.array([plain[e] for e in range(n_e)])
    print(f"\nzscore, numpy: {t_np * 1e3:.1f} ms")
    print(
        f"  straightforward pure Python (tuples, dicts of lists): {t_plain * 1e3:.0f} ms, "
        f"ratio {t_plain / t_np:.0f}x (max abs diff {np.max(np.abs(plain_arr - z_np)):.1e})"
    )
    print(
        f"  lean pure Python (parallel lists, index arrays):      {t_lean * 1e3:.0f} ms, "
        f"ratio {t_lean / t_np:.0f}x "
        f"(max abs diff {np.max(np.abs(np.asarray(lean) - z_np)):.1e})"
    )

    print("\npeak memory (tracemalloc, per step, MiB):")
    for name, fn in [
        (m, lambda m=m: normalize(entry, judge, score, m, n_entries=n_e)) for m in METHODS
    ] + [("bootstrap", lambda: bootstrap_ranks(res, entry, n_boot=args.n_boot, seed=0))]:
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {name:<12} {peak / 2**20:8.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max resident set size: {rss:.0f} MiB")
    issue14(args)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max resident set size after the issue-14 runs: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
