"""Shared cases of the normalization tests (tests/judging/test_normalize*.py): a hand
example, a chain of two judges, simulated panels and random stages."""

import math

import numpy as np

# Shared hand example: 3 entries, 2 judges.
#   judge 0 scores entries 0, 1, 2 with 10, 20, 30
#   judge 1 scores entries 0, 1    with 14, 24
ENTRY = np.array([0, 1, 2, 0, 1])
JUDGE = np.array([0, 0, 0, 1, 1])
SCORE = np.array([10.0, 20.0, 30.0, 14.0, 24.0])
# pooled mean of all sheets = 98 / 5 = 19.6; deviations -9.6, .4, 10.4, -5.6, 4.4;
# squares 92.16 + .16 + 108.16 + 31.36 + 19.36 = 251.2; pooled (population) sd = sqrt(50.24)
POOLED_MEAN = 19.6
POOLED_SD = math.sqrt(50.24)


def simulate(seed, n_entries=40, n_judges=8, per_entry=4, noise=3.0):
    rng = np.random.default_rng(seed)
    q = rng.normal(60.0, 10.0, n_entries)
    offset = rng.normal(0.0, 5.0, n_judges)
    judge = np.argsort(rng.random((n_entries, n_judges)), axis=1)[:, :per_entry].ravel()
    entry = np.repeat(np.arange(n_entries), per_entry)
    score = q[entry] + offset[judge] + rng.normal(0.0, noise, entry.size)
    return entry, judge, score, q, offset


# Chain design for the bias model: judge 0 scores entries 0, 1 with 10, 20; judge 1 scores
# entries 1, 2 with 24, 34. Entry 1 links them: judge 1 is 4 points above judge 0.
CHAIN = (np.array([0, 1, 1, 2]), np.array([0, 0, 1, 1]), np.array([10.0, 20.0, 24.0, 34.0]))


def design(rng, kind):
    """A random stage: entries with 1-7 sheets, or exactly 4 ("regular"), shuffled sheets
    ("unsorted"), entries and judges without sheets ("holes"), two groups of judges that share
    no entry ("groups"), a judge who gives everyone nearly the same score ("flat")."""
    n_e, n_j = int(rng.integers(20, 300)), int(rng.integers(6, 50))
    q = rng.normal(60, 10, n_e)
    off, sc = rng.normal(0, 6, n_j), np.exp(rng.normal(0, 0.3, n_j))
    pairs = []
    for e in range(n_e):
        k = 4 if kind == "regular" else int(rng.integers(1, 8))
        pool = np.arange(n_j)
        if kind == "groups":
            pool = pool[: n_j // 2] if e % 2 else pool[n_j // 2 :]
        pairs += [(e, j) for j in rng.choice(pool, min(k, pool.size), replace=False)]
    p = np.array(pairs)
    if kind == "unsorted":
        p = p[rng.permutation(len(p))]
    if kind == "holes":
        p = p[(p[:, 0] % 7 != 3) & (p[:, 1] % 5 != 2)]
    entry, judge = p[:, 0], p[:, 1]
    y = 60 + off[judge] + sc[judge] * (q[entry] - 60) + rng.normal(0, 4, entry.size)
    if kind == "flat":
        y[judge == 0] = 70 + rng.normal(0, 0.3, int((judge == 0).sum()))
    return entry, judge, np.clip(np.round(y), 0, 100), n_e


FIT_FIELDS = ("entry_score", "entry_se", "sheet_score", "sheet_weight", "judge_offset")
FIT_FIELDS += ("judge_scale", "judge_noise", "judge_reliability")
