"""Tests of judging.normalize_simple: the closed-form methods raw, median, zscore and rank, by hand."""

import math

import numpy as np

from judging.normalize import normalize
from judging.normalize_simple import raw, zscore
from tests.judging.normalize_cases import ENTRY, JUDGE, POOLED_MEAN, POOLED_SD, SCORE


def test_zscore_se_is_the_pooled_within_entry_se_of_its_sheet_scores():
    """zscore computes its SE from judge-level sums (no pass over the sheets): it must equal
    the within-entry SE of its own normalized sheets, computed the plain way (a constant
    judge, whose sheets all map to the pooled mean, included)."""
    rng = np.random.default_rng(3)
    entry = np.repeat(np.arange(40), 3)
    judge = np.argsort(rng.random((40, 6)), axis=1)[:, :3].ravel()  # one sheet per judge
    score = rng.normal(60, 8, entry.size)
    score[judge == 2] = 55.0  # no spread: z = 0
    r = zscore(entry, judge, score)
    x, n = r.sheet_score, r.n_sheets
    mean = np.bincount(entry, weights=x) / n
    within = ((x - mean[entry]) ** 2).sum() / (entry.size - 40)
    np.testing.assert_allclose(r.entry_se, np.sqrt(within / n), rtol=1e-10)


def test_raw_mean_and_se():
    r = normalize(ENTRY, JUDGE, SCORE, "raw")
    # entry 0: (10 + 14) / 2 = 12; entry 1: (20 + 24) / 2 = 22; entry 2: 30
    np.testing.assert_allclose(r.entry_score, [12, 22, 30])
    np.testing.assert_array_equal(r.n_sheets, [2, 2, 1])
    np.testing.assert_allclose(r.sheet_score, SCORE)
    # within-entry SS: (10-12)^2 + (14-12)^2 = 8, 8, 0; dof = 5 sheets - 3 entries = 2;
    # pooled variance 16 / 2 = 8; se = sqrt(8 / n): 2, 2, sqrt(8)
    np.testing.assert_allclose(r.entry_se, [2, 2, math.sqrt(8)])
    assert r.method == "raw"
    assert np.all(np.isnan(r.judge_offset))


def test_raw_entry_without_sheets_is_nan():
    r = raw([0, 2], [0, 0], [5.0, 7.0], n_entries=4)
    assert r.entry_score.shape == (4,)
    np.testing.assert_allclose(r.entry_score, [5, np.nan, 7, np.nan])
    np.testing.assert_array_equal(r.n_sheets, [1, 0, 1, 0])
    np.testing.assert_array_equal(r.component, [0, -1, 0, -1])  # judge 0 links them


def test_median_odd_and_even_counts():
    # entry 0: 1, 100, 5 -> 5 (the wild 100 does not matter); entry 1: 4, 2 -> 3; entry 2: 7
    r = normalize([0, 0, 0, 1, 1, 2], [0, 1, 2, 0, 1, 2], [1, 100, 5, 4, 2, 7], "median")
    np.testing.assert_allclose(r.entry_score, [5, 3, 7])
    # unsorted input order gives the same
    r2 = normalize([2, 1, 0, 0, 1, 0], [2, 1, 2, 0, 0, 1], [7, 2, 5, 1, 4, 100], "median")
    np.testing.assert_allclose(r2.entry_score, [5, 3, 7])


def test_zscore_hand():
    r = normalize(ENTRY, JUDGE, SCORE, "zscore")
    # judge 0: mean 20, population sd sqrt(200/3); z = -sqrt(1.5), 0, +sqrt(1.5)
    # judge 1: mean 19, sd 5; z = -1, +1
    z0 = -math.sqrt(1.5)
    expected = POOLED_MEAN + POOLED_SD * np.array([(z0 - 1) / 2, (0 + 1) / 2, -z0])
    np.testing.assert_allclose(r.entry_score, expected)
    np.testing.assert_allclose(r.judge_offset, [20 - 19.6, 19 - 19.6])
    np.testing.assert_allclose(r.judge_scale, [math.sqrt(200 / 3) / POOLED_SD, 5 / POOLED_SD])


def test_zscore_constant_judge_gives_zero_z():
    # judge 1 scores every entry 50: its z are all 0, so it adds nothing to the order
    r = zscore([0, 1, 0, 1], [0, 0, 1, 1], [10.0, 20.0, 50.0, 50.0])
    pooled_mean, pooled_sd = 32.5, np.std([10, 20, 50, 50])
    np.testing.assert_allclose(
        r.entry_score, [pooled_mean - pooled_sd / 2, pooled_mean + pooled_sd / 2]
    )


def test_rank_hand_with_ties():
    r = normalize(ENTRY, JUDGE, SCORE, "rank")
    # percentiles (position + 0.5) / n: judge 0: 1/6, 1/2, 5/6; judge 1: 1/4, 3/4
    p = np.array([(1 / 6 + 1 / 4) / 2, (1 / 2 + 3 / 4) / 2, 5 / 6])
    np.testing.assert_allclose(r.entry_score, POOLED_MEAN + (p - 0.5) * math.sqrt(12) * POOLED_SD)
    # ties share the average position: 10, 20, 20 -> positions 0, 1.5, 1.5 -> 1/6, 2/3, 2/3
    r2 = normalize([0, 1, 2], [0, 0, 0], [10.0, 20.0, 20.0], "rank")
    m, sd = np.mean([10, 20, 20]), np.std([10, 20, 20])
    np.testing.assert_allclose(
        r2.entry_score, m + (np.array([1 / 6, 2 / 3, 2 / 3]) - 0.5) * math.sqrt(12) * sd
    )
