"""Tests of judging.normalize_posterior: the input checks of the uncertainty core and the Gibbs
sampler of the judge model (its calibration is tested through judging.ranking in
test_uncertainty.py)."""

import numpy as np
import pytest

from judging.normalize_core import MAX_FREE_INDEX
from judging.normalize_posterior import NU_GRID, check_sheets, default_sweeps, sample_posterior
from tests.judging.normalize_cases import simulate


def test_check_sheets_returns_validated_arrays_and_sizes():
    entry, judge, score = [0, 1, 1], [1.0, 0.0, 2.0], [50, 60, 70]
    e, j, y, n_e, n_j = check_sheets(entry, judge, score)
    assert (e.dtype, j.dtype, y.dtype) == (np.intp, np.intp, np.float64)
    assert (n_e, n_j) == (2, 3)
    assert check_sheets(entry, judge, score, n_entries=5, n_judges=4)[3:] == (5, 4)
    with pytest.raises(ValueError, match="duplicate"):
        check_sheets([0, 0], [1, 1], [50, 60])
    with pytest.raises(ValueError, match="far beyond"):
        check_sheets([0, 10 * 2 + MAX_FREE_INDEX], [0, 1], [50, 60])
    with pytest.raises(ValueError, match="scale_min must be below"):
        check_sheets(entry, judge, score, scale_min=100, scale_max=0)


def test_default_sweeps_shrink_with_the_stage_within_bounds():
    assert default_sweeps(100) == 1600
    assert default_sweeps(15_000) == 666
    assert default_sweeps(250_000) == 250


def test_sample_posterior_shapes_and_determinism():
    entry, judge, score, q, _ = simulate(2, n_entries=20, n_judges=6, per_entry=3)
    kw = dict(n_entries=22, n_draws=60, n_burn=30, seed=4)
    a = sample_posterior(entry, judge, score, **kw)
    b = sample_posterior(entry, judge, score, **kw)
    assert a.score_draws.shape == (60, 22) and a.offset_draws.shape == (60, 6)
    np.testing.assert_array_equal(a.score_draws, b.score_draws)
    assert np.isnan(a.score_draws[:, 20:]).all()  # entries without sheets
    mean = a.score_draws[:, :20].mean(axis=0)
    assert np.corrcoef(mean, q)[0, 1] > 0.8
    assert (a.model, a.n_sweeps, a.n_components) == ("bias_scale", 60, 1)
    with pytest.raises(ValueError, match="unknown model"):
        sample_posterior(entry, judge, score, model="nope")


def _one_blunder(seed, E=40, J=8, k=3):
    """Integer scores 0-100 with normal noise (sd 4), and the same with one typing blunder
    (a digit dropped: 83 -> 8) on a sheet of the best entry."""
    rng = np.random.default_rng(seed)
    q = rng.normal(60.0, 10.0, E)
    judge = np.argsort(rng.random((E, J)), axis=1)[:, :k].ravel()
    entry = np.repeat(np.arange(E), k)
    off = rng.normal(0.0, 5.0, J)
    y = 60.0 + off[judge] + (q[entry] - 60.0) + rng.normal(0.0, 4.0, entry.size)
    y = np.clip(np.round(y), 0, 100)
    i = int(np.argmax(q[entry]))
    blundered = y.copy()
    blundered[i] = np.floor(y[i] / 10.0)
    return entry, judge, y, blundered, i


def test_a_typing_blunder_is_recognized_and_discounted():
    shift = {True: [], False: []}
    for seed in (10, 11, 13, 14):
        entry, judge, clean, blundered, i = _one_blunder(seed)
        hit = entry[i]
        kw = dict(scale_min=0, scale_max=100, seed=1, n_draws=400)
        for robust in (True, False):
            a = sample_posterior(entry, judge, clean, robust=robust, **kw)
            b = sample_posterior(entry, judge, blundered, robust=robust, **kw)
            shift[robust].append(abs(b.score_draws[:, hit].mean() - a.score_draws[:, hit].mean()))
            if robust:
                assert b.sheet_blunder[i] > 0.9  # the mistyped sheet
                others = np.delete(b.sheet_blunder, i)
                assert others.max() < 0.5 and b.blunder_rate > 0
            else:
                assert not b.sheet_blunder.any() and b.blunder_rate == 0
    # read as the judge's opinion, one sheet of 8 instead of 83 drags the entry down
    assert np.mean(shift[True]) < 0.5 * np.mean(shift[False]), shift


def test_blunder_mixture_changes_little_without_blunders():
    entry, judge, clean, _, i = _one_blunder(12)
    top = entry == entry[i]
    clean[top] = 100.0  # the best entry's sheets at the rubric's top: censored, never blunders
    kw = dict(scale_min=0, scale_max=100, seed=1, n_draws=400)
    m = sample_posterior(entry, judge, clean, **kw)
    n = sample_posterior(entry, judge, clean, robust=False, **kw)
    assert m.sheet_blunder.max() < 0.5 and not m.sheet_blunder[top].any()
    se = n.score_draws.std(axis=0)
    diff = np.abs(m.score_draws.mean(axis=0) - n.score_draws.mean(axis=0))
    assert np.max(diff / se) < 0.5
    np.testing.assert_allclose(np.mean(m.noise / n.noise), 1.0, atol=0.05)


def _t_sheets(seed, E=120, J=12, k=4, df=3.0):
    """Integer scores with honest Student-t noise (``df`` degrees of freedom, sd 4 points) and
    the entries with a sheet more than 2.5 sd off its judge's line."""
    rng = np.random.default_rng(seed)
    q = rng.normal(60.0, 10.0, E)
    judge = np.argsort(rng.random((E, J)), axis=1)[:, :k].ravel()
    entry = np.repeat(np.arange(E), k)
    off = rng.normal(0.0, 5.0, J)
    t = rng.standard_t(df, entry.size) / np.sqrt(df / (df - 2.0))
    y = np.round(60.0 + off[judge] + (q[entry] - 60.0) + 4.0 * t)
    hit = np.bincount(entry[np.abs(t) > 2.5], minlength=E) > 0
    return entry, judge, y, q, hit, t


def _centred(post, q):
    """Score draws moved to the truth's mean level (the level is not identified)."""
    d = post.score_draws.astype(float)
    return d - (d.mean(axis=1, keepdims=True) - q.mean())


def test_t_noise_discounts_outlying_sheets_and_helps_the_entries_they_hit():
    covered = {True: 0, False: 0}
    sq_err = {True: 0.0, False: 0.0}
    n_hit = 0
    for seed in range(6):
        entry, judge, y, q, hit, t = _t_sheets(seed)
        n_hit += hit.sum()
        for t_noise in (True, False):
            post = sample_posterior(entry, judge, y, seed=1, n_draws=400, t_noise=t_noise)
            d = _centred(post, q)
            lo, hi = np.quantile(d, [0.05, 0.95], axis=0)
            covered[t_noise] += int(np.sum(((q >= lo) & (q <= hi))[hit]))
            sq_err[t_noise] += float(np.sum((d.mean(axis=0) - q)[hit] ** 2))
            if t_noise:
                # heavy tails are learned, and a sheet far off its judge's line counts little
                assert post.noise_df < 8.0
                far = np.abs(t) > 3.0
                assert post.sheet_weight[far].mean() < 0.3
                assert np.median(post.sheet_weight[~far]) > 0.9
            else:
                assert post.noise_df == np.inf and post.noise_df_draws is not None
    # the entries an outlying sheet hits: estimated better and covered at least as often
    assert sq_err[True] < 0.9 * sq_err[False], sq_err
    assert covered[True] >= covered[False], (covered, n_hit)


def test_t_noise_stays_near_normal_on_normal_noise():
    entry, judge, score, q, _ = simulate(5, n_entries=120, n_judges=12, per_entry=4)
    t = sample_posterior(entry, judge, score, seed=2, n_draws=400)
    n = sample_posterior(entry, judge, score, seed=2, n_draws=400, t_noise=False)
    assert t.noise_df > 15.0  # the degrees of freedom drift to the normal end of the grid
    se = n.score_draws.std(axis=0)
    diff = np.abs(t.score_draws.mean(axis=0) - n.score_draws.mean(axis=0))
    assert np.max(diff / se) < 0.5
    np.testing.assert_allclose(np.median(t.noise / n.noise), 1.0, atol=0.08)


def test_t_noise_fields_shapes_and_dtypes():
    entry, judge, score, q, _ = simulate(2, n_entries=20, n_judges=6, per_entry=3)
    p = sample_posterior(entry, judge, score, n_entries=22, n_draws=60, n_burn=30, seed=4)
    assert p.noise_df_draws.shape == (60,) and p.noise_df_draws.dtype == np.float64
    assert set(np.unique(p.noise_df_draws)) <= set(NU_GRID)
    assert p.noise_df == pytest.approx(p.noise_df_draws.mean())
    assert p.sheet_weight.shape == (score.size,) and p.sheet_weight.dtype == np.float64
    assert (p.sheet_weight >= 0).all() and np.isfinite(p.sheet_weight).all()
    assert p.noise_draws.dtype == np.float32 and p.noise_draws.shape == (60, 6)
    off = sample_posterior(entry, judge, score, n_draws=60, n_burn=30, seed=4, robust=False)
    assert off.noise_df == np.inf and (off.sheet_weight == 1.0).all()


# Sums of the draws of the sampler before the Student-t noise (lead a8c136f), to the last bit
# on the machine that measured them; rtol 1e-9 leaves room for another CPU's exp/log rounding,
# nothing more. The data have no score at a bound (no rejection step).
BEFORE_T = {
    False: (142594.25993537903, 2190.4627084732056),  # robust=False: no blunders, normal noise
    True: (142680.76751327515, 2123.9633017778397),  # robust=True, t_noise=False: blunders
}


def test_robust_false_and_t_noise_false_reproduce_the_sampler_before():
    entry, judge, score, _, _ = simulate(3, n_entries=30, n_judges=8, per_entry=3)
    kw = dict(n_draws=80, n_burn=40, seed=7)
    for robust, (z_sum, sig_sum) in BEFORE_T.items():
        p = sample_posterior(entry, judge, score, robust=robust, t_noise=False, **kw)
        got = (float(p.score_draws.sum(dtype=float)), float(p.noise_draws.sum(dtype=float)))
        np.testing.assert_allclose(got, (z_sum, sig_sum), rtol=1e-9)
    # robust=False turns the t noise off too: the switch t_noise then changes nothing
    a = sample_posterior(entry, judge, score, robust=False, **kw)
    b = sample_posterior(entry, judge, score, robust=False, t_noise=False, **kw)
    np.testing.assert_array_equal(a.score_draws, b.score_draws)
