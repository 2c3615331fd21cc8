"""Tests of judging.ranking: ranks, ties, categories, stage weights, near-ties, bootstrap."""

import numpy as np
import pytest

from judging.normalize import normalize
from judging.ranking import (
    TIE_BREAK_RULE,
    bootstrap_ranks,
    combine_stages,
    near_ties,
    rank_entries,
    rank_uncertainty,
)

# ------------------------------------------------------------------ rank_entries


def test_competition_and_dense_ranks_with_ties():
    r = rank_entries([70, 90, 80, 90, 60])
    np.testing.assert_array_equal(r.order, [1, 3, 2, 0, 4])  # equal entries keep index order
    np.testing.assert_array_equal(r.rank, [4, 1, 3, 1, 5])  # 1, 1, 3, 4, 5
    np.testing.assert_array_equal(r.dense_rank, [3, 1, 2, 1, 4])
    assert "heaviest criterion" in TIE_BREAK_RULE


def test_tiebreak_keys_in_turn_and_float_noise_ignored():
    score = [80.0, 80.0 + 1e-9, 80.0, 75.0]  # 1e-9 is floating-point noise, not a lead
    heaviest = [7, 9, 9, 10]
    judges = [5, 4, 5, 5]
    r = rank_entries(score, tiebreak=(heaviest, judges))
    # entries 1 and 2 lead on the heaviest criterion; entry 2 has more judges
    np.testing.assert_array_equal(r.order, [2, 1, 0, 3])
    np.testing.assert_array_equal(r.rank, [3, 2, 1, 4])
    # a negated key prefers lower values (earlier submission wins)
    submitted = np.array([3.0, 1.0, 2.0, 0.0])
    r2 = rank_entries([50, 50, 50, 40], tiebreak=(-submitted,))
    np.testing.assert_array_equal(r2.order, [1, 2, 0, 3])


def test_nan_scores_come_last_unranked():
    r = rank_entries([np.nan, 5.0, 7.0, np.nan])
    np.testing.assert_array_equal(r.order[:2], [2, 1])
    assert set(r.order[2:]) == {0, 3}
    np.testing.assert_array_equal(r.rank, [0, 2, 1, 0])
    np.testing.assert_array_equal(r.dense_rank, [0, 2, 1, 0])


def test_nan_tiebreak_key_counts_as_worst():
    r = rank_entries([5.0, 5.0], tiebreak=([np.nan, 1.0],))
    np.testing.assert_array_equal(r.rank, [2, 1])


def test_ranks_restart_in_every_category():
    score = [3, 5, 5, np.nan, 1, 2, 9]
    group = ["b", "b", "a", "a", "a", "b", "a"]
    r = rank_entries(score, group=group)
    # category a: entries 6 (9), 2 (5), 4 (1), 3 (NaN); category b: 1 (5), 0 (3), 5 (2)
    np.testing.assert_array_equal(r.order, [6, 2, 4, 3, 1, 0, 5])
    np.testing.assert_array_equal(r.rank, [2, 1, 2, 0, 3, 3, 1])
    np.testing.assert_array_equal(r.dense_rank, [2, 1, 2, 0, 3, 3, 1])


def test_dense_rank_in_categories_with_ties():
    r = rank_entries([4, 4, 3, 9, 9, 1], group=[0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(r.rank, [1, 1, 3, 1, 1, 3])
    np.testing.assert_array_equal(r.dense_rank, [1, 1, 2, 1, 1, 2])


def test_empty_ranking():
    r = rank_entries([])
    assert r.order.size == r.rank.size == r.dense_rank.size == 0


# ------------------------------------------------------------------ combine_stages


def test_combine_stages_weights_and_missing_rules():
    scores = np.array(
        [
            [80.0, 70.0, 90.0],
            [80.0, 70.0, np.nan],  # no field visit
            [np.nan, np.nan, np.nan],
        ]
    )
    w = (40, 30, 30)  # percentages are normalized
    out = combine_stages(scores, w)
    # 0.4*80 + 0.3*70 + 0.3*90 = 32 + 21 + 27 = 80; second: (32 + 21) / 0.7 = 75.714...
    np.testing.assert_allclose(out, [80.0, 53.0 / 0.7, np.nan])
    np.testing.assert_allclose(combine_stages(scores, w, missing="zero"), [80.0, 53.0, np.nan])
    np.testing.assert_allclose(combine_stages(scores, w, missing="nan"), [80.0, np.nan, np.nan])
    # renormalize, but require at least 80 % of the weight
    np.testing.assert_allclose(combine_stages(scores, w, min_weight=0.8), [80, np.nan, np.nan])


def test_combine_stages_refuses_bad_input():
    with pytest.raises(ValueError, match="one value per stage"):
        combine_stages(np.ones((2, 3)), (1, 1))
    with pytest.raises(ValueError, match="non-negative"):
        combine_stages(np.ones((2, 2)), (1, -1))
    with pytest.raises(ValueError, match="missing must be"):
        combine_stages(np.ones((2, 2)), (1, 1), missing="mean")


# ------------------------------------------------------------------ near_ties


def test_near_ties_with_standard_errors():
    score = np.array([90.0, 89.5, 80.0, 70.0, 69.0, np.nan, 50.0])
    se = np.full(7, 0.5)
    t = near_ties(score, se)
    # threshold 1.96 * sqrt(0.5^2 + 0.5^2) = 1.386: 90/89.5 and 70/69 are ties
    np.testing.assert_array_equal(t.tied_with_next, [1, 0, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(t.flag, [1, 1, 0, 1, 1, 0, 0])
    np.testing.assert_array_equal(t.place_lo, [1, 1, 3, 4, 4, 0, 6])
    np.testing.assert_array_equal(t.place_hi, [2, 2, 3, 5, 5, 0, 6])


def test_near_ties_with_intervals_and_categories():
    score = np.array([90.0, 89.5, 80.0, 70.0, 69.0, 50.0])
    t = near_ties(score, lower=score - 1, upper=score + 1, group=[0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(t.flag, [1, 1, 0, 1, 1, 0])
    np.testing.assert_array_equal(t.place_lo, [1, 1, 3, 1, 1, 3])
    np.testing.assert_array_equal(t.place_hi, [2, 2, 3, 2, 2, 3])


def test_near_ties_exact_tie_and_unknown_se():
    t = near_ties([5.0, 5.0, 1.0], np.zeros(3))
    np.testing.assert_array_equal(t.flag, [1, 1, 0])
    t = near_ties([9.0, 5.0, 1.0], [np.nan, 0.1, 0.1])  # unknown SE: cannot be told apart
    np.testing.assert_array_equal(t.flag, [1, 1, 0])
    with pytest.raises(ValueError, match="either se"):
        near_ties([1.0], [0.1], lower=[0.0], upper=[2.0])


# ------------------------------------------------------------------ bootstrap


def simulate(seed, n_entries=30, n_judges=8, per_entry=4, noise=4.0, lead=0.0):
    rng = np.random.default_rng(seed)
    q = rng.normal(60.0, 5.0, n_entries)
    q[0] += lead
    judge = np.argsort(rng.random((n_entries, n_judges)), axis=1)[:, :per_entry].ravel()
    entry = np.repeat(np.arange(n_entries), per_entry)
    score = q[entry] + rng.normal(0.0, 3.0, n_judges)[judge] + rng.normal(0, noise, entry.size)
    return entry, judge, score


@pytest.mark.parametrize("method", ["raw", "median", "zscore", "bias", "bias_scale"])
def test_bootstrap_shapes_probabilities_and_clear_winner(method):
    entry, judge, score = simulate(1, lead=40.0)
    res = normalize(entry, judge, score, method)
    b = bootstrap_ranks(res, entry, n_boot=300, top_n=3, seed=7)
    n = res.entry_score.size
    for arr in (b.rank, b.rank_lo, b.rank_hi, b.rank_median, b.p_top, b.p_first, b.score_se):
        assert arr.shape == (n,)
    assert np.all((b.p_top >= 0) & (b.p_top <= 1))
    assert np.all((b.p_first >= 0) & (b.p_first <= 1))
    assert np.all(b.rank_lo <= b.rank_median) and np.all(b.rank_median <= b.rank_hi)
    assert np.all((b.rank_lo >= 1) & (b.rank_hi <= n))
    # entry 0 is 40 points ahead: first in every resample
    assert b.rank[0] == 1 and b.p_first[0] == pytest.approx(1.0)
    assert b.rank_lo[0] == b.rank_hi[0] == 1
    # probabilities add up: exactly top_n places per resample (no ties with floats)
    assert b.p_top.sum() == pytest.approx(3.0)
    assert b.p_first.sum() == pytest.approx(1.0)
    assert np.all(b.score_se[1:] > 0)


def test_bootstrap_is_deterministic_and_independent_of_chunking():
    entry, judge, score = simulate(2)
    res = normalize(entry, judge, score, "bias_scale")
    a = bootstrap_ranks(res, entry, n_boot=200, seed=3)
    b = bootstrap_ranks(res, entry, n_boot=200, seed=3, chunk_size=7)
    c = bootstrap_ranks(res, entry, n_boot=200, seed=4)
    for f in ("rank_lo", "rank_hi", "rank_median", "p_top", "p_first"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    np.testing.assert_allclose(a.score_se, b.score_se, rtol=1e-12)  # summation order only
    assert not np.array_equal(a.p_top, c.p_top)


def test_bootstrap_se_matches_model_se_roughly():
    entry, judge, score = simulate(4, n_entries=40, per_entry=6)
    res = normalize(entry, judge, score, "raw")
    b = bootstrap_ranks(res, entry, n_boot=1000, seed=0)
    ratio = np.median(b.score_se / res.entry_se)
    assert 0.7 < ratio < 1.3


def test_bootstrap_per_category_and_unscored_entries():
    entry, judge, score = simulate(5, n_entries=20)
    res = normalize(entry, judge, score, "bias", n_entries=22)  # entries 20, 21 unscored
    group = np.repeat([0, 1], 11)
    b = bootstrap_ranks(res, entry, group, n_boot=200, top_n=1, seed=1)
    assert b.rank[20] == b.rank[21] == 0 and b.p_top[20] == b.p_top[21] == 0
    # one first place per category per resample
    assert b.p_first[:11].sum() == pytest.approx(1.0)
    assert b.p_first[11:].sum() == pytest.approx(1.0)
    assert b.rank_hi[:11].max() <= 11 and b.rank_hi[11:].max() <= 9


def test_bootstrap_single_sheet_entries_get_uncertainty_from_the_model():
    # every entry has a single sheet: plain resampling could not move them at all
    rng = np.random.default_rng(0)
    entry = np.arange(10)
    judge = np.zeros(10, dtype=int)
    score = rng.normal(50, 1, 10)
    res = normalize(
        np.append(entry, entry),
        np.append(judge, judge + 1),
        np.append(score, score + rng.normal(0, 1, 10)),
        "raw",
    )
    single = normalize(entry, judge, score, "raw")
    assert np.all(np.isnan(single.entry_se))  # no within-entry spread: no SE
    b = bootstrap_ranks(single, entry, n_boot=50, seed=0)
    assert np.all(np.isnan(b.score_se))  # left fixed, nothing to go on: unknown, not 0
    b2 = bootstrap_ranks(res, np.append(entry, entry), n_boot=200, seed=0)
    assert np.all(b2.score_se > 0)


def test_bootstrap_se_is_nan_not_zero_when_it_cannot_be_estimated():
    # entry 2 has a single sheet and the method gives no SE for it: unknown, not 0
    entry = np.array([0, 0, 1, 1, 2])
    judge = np.array([0, 1, 0, 1, 0])
    score = np.array([50.0, 54.0, 70.0, 66.0, 60.0])
    res = normalize(entry, judge, score, "raw")
    res = type(res)(**{**res.__dict__, "entry_se": np.array([1.0, 1.0, np.nan])})
    b = bootstrap_ranks(res, entry, n_boot=50, seed=0)
    assert np.isnan(b.score_se[2])
    assert np.all(b.score_se[:2] > 0)


def test_range_with_place_stretches_only_where_needed():
    from judging.ranking import range_with_place

    place = np.array([1, 4, 7, 0, 3])
    lo = np.array([1, 2, 2, 3, 0])
    hi = np.array([3, 5, 5, 6, 0])
    new_lo, new_hi, widened = range_with_place(place, lo, hi)
    assert new_lo.tolist() == [1, 2, 2, 3, 0]  # unranked (place 0) and no range (lo 0) kept
    assert new_hi.tolist() == [3, 5, 7, 6, 0]
    assert widened.tolist() == [False, False, True, False, False]
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = 30
        a = rng.integers(1, n + 1, n)
        b = rng.integers(1, n + 1, n)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        p = rng.integers(1, n + 1, n)
        new_lo, new_hi, widened = range_with_place(p, lo, hi)
        assert np.all((new_lo <= p) & (p <= new_hi))
        assert np.all((new_lo <= lo) & (new_hi >= hi))
        assert np.array_equal(widened, (p < lo) | (p > hi))


@pytest.mark.parametrize("across", ["assume_equal", "refuse"])
@pytest.mark.parametrize("method", ["bias_scale", "bias"])
def test_expected_total_follows_each_judges_line_in_every_group(across, method):
    """Two panels that share no entry, on different levels, with lenient/strict and
    wide/narrow judges: the judge's line (``expected_total``) reproduces every honest sheet
    to within its noise, so a sheet far from it stands out; the one mistyped sheet does."""
    rng = np.random.default_rng(7)
    entry, judge, score = [], [], []
    offset = [4.0, -3.0, 0.0, 1.0, -5.0, 1.0]
    scale = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0] if method == "bias" else [1.3, 0.7, 1.0, 1.3, 0.7, 1.0]
    for e in range(24):
        panel = (0, 1, 2) if e < 12 else (3, 4, 5)
        centre = 40.0 if e < 12 else 75.0  # far apart: a wrong centre shows on wide judges
        quality = centre + 1.5 * (e % 12)
        for j in panel:
            entry.append(e)
            judge.append(j)
            score.append(centre + offset[j] + scale[j] * (quality - centre) + rng.normal(0, 0.8))
    score = np.round(np.array(score), 1)
    score[40] = round(score[40] / 10, 1)  # a mistyped sheet in the second panel
    res = rank_uncertainty(
        entry, judge, score, method=method, scale_min=1, scale_max=100, across=across,
        n_draws=300, seed=3,
    )  # fmt: skip
    assert res.n_components == 2 and res.group_level.shape == (2,)
    expected = res.expected_total(entry, judge)
    honest = np.arange(score.size) != 40
    assert np.abs(expected[honest] - score[honest]).max() < 2.5
    assert abs(expected[40] - score[40] * 10) < 4.0
    assert res.sheet_blunder[40] > 0.9 and res.sheet_blunder[honest].max() < 0.5
