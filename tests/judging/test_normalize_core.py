"""Tests of judging.normalize_core: the result type, the input checks and the helpers."""

import numpy as np
import pytest

from judging.normalize import normalize
from judging.normalize_core import _BLAS_FREE_DOT, Normalized, _dot


def test_duplicate_sheets_and_stray_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        normalize([0, 1, 0], [0, 0, 0], [50.0, 60.0, 55.0])
    rng = np.random.default_rng(0)  # the hashed check on a large input
    e = np.repeat(np.arange(2000), 5)
    j = (e * 7 + np.tile(np.arange(5), 2000)) % 300
    y = rng.uniform(0, 100, e.size)
    normalize(e, j, y, "raw")  # no duplicates: fine
    j[-1] = j[-2]
    with pytest.raises(ValueError, match="duplicate sheet.*judge"):
        normalize(e, j, y, "raw")
    with pytest.raises(ValueError, match="far beyond"):
        normalize([0, 10**12], [0, 1], [50.0, 60.0])
    with pytest.raises(ValueError, match="far beyond"):
        normalize([0, 1], [0, 4 * 10**9], [50.0, 60.0], "zscore")
    with pytest.raises(ValueError, match="sensible size"):
        normalize([0, 1], [0, 1], [50.0, 1e300])


def test_nan_score_is_refused_clearly():
    with pytest.raises(ValueError, match=r"NaN.*rows \[1\]"):
        normalize([0, 1], [0, 0], [1.0, np.nan])
    with pytest.raises(ValueError, match="finite"):
        normalize([0, 1], [0, 0], [1.0, np.inf], "raw")


def test_out_of_range_is_refused_with_scale_bounds():
    with pytest.raises(ValueError, match=r"outside the rubric's range \[0, 100\]"):
        normalize([0, 1], [0, 0], [50.0, 101.0], scale_min=0, scale_max=100)
    # without bounds the same scores are accepted
    assert np.isfinite(normalize([0, 1], [0, 0], [50.0, 101.0], "raw").entry_score).all()


def test_bad_indices_and_shapes_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        normalize([0, -1], [0, 0], [1.0, 2.0])
    with pytest.raises(ValueError, match="same length"):
        normalize([0, 1], [0], [1.0, 2.0])
    with pytest.raises(ValueError, match="out of range"):
        normalize([0, 5], [0, 0], [1.0, 2.0], n_entries=3)
    with pytest.raises(ValueError, match="integer"):
        normalize([0, 1.5], [0, 0], [1.0, 2.0])


def test_normalized_built_by_hand_still_reports_groups():
    r = Normalized(np.array([1.0, np.nan]), np.array([2, 0]), np.zeros(2), "custom")
    assert r.n_components == 1 and r.warning == ""
    np.testing.assert_array_equal(r.component, [0, -1])


def test_display_score_stays_inside_the_rubric():
    # judges 0 and 1 score 10 points below judges 2 and 3 on entries 1-7, and give entry 0
    # (which only they judge) the top mark: the model puts entry 0 beyond 100
    q = 50.0 + 5.0 * np.arange(1, 8)
    entry = np.concatenate([[0, 0], np.repeat(np.arange(1, 8), 4)])
    judge = np.concatenate([[0, 1], np.tile([0, 1, 2, 3], 7)])
    score = np.concatenate([[100.0, 100.0], (q[:, None] + [-10, -10, 0, 0]).ravel()])
    for method in ("bias", "bias_scale"):
        r = normalize(entry, judge, score, method, scale_min=0, scale_max=100)
        assert r.entry_score[0] > 101, method
        assert r.scale_min == 0 and r.scale_max == 100
        np.testing.assert_array_equal(r.display_score, np.clip(r.entry_score, 0, 100))
        assert r.display_score[0] == 100
        plain = normalize(entry, judge, score, method)  # no range given: nothing clipped
        np.testing.assert_array_equal(plain.display_score, plain.entry_score)
        np.testing.assert_allclose(plain.entry_score, r.entry_score)


def test_long_dot_products_match_numpy():
    rng = np.random.default_rng(3)
    for n in (10, _BLAS_FREE_DOT - 1, _BLAS_FREE_DOT, 250_000):
        a, b = rng.normal(size=n), rng.normal(size=n)
        assert _dot(a, b) == pytest.approx(float(np.vecdot(a, b)), rel=1e-12, abs=1e-9)


def test_duplicate_check_on_sorted_sheets_finds_every_lag():
    """Sheets sorted by entry are compared with their next 1..k-1 neighbours; unsorted ones or
    entries with more than 16 sheets go through the hashed check. Same answer and message."""
    rng = np.random.default_rng(5)
    e = np.repeat(np.arange(2000), 6)
    j = (e * 7 + np.tile(np.arange(6), 2000)) % 300
    y = rng.uniform(0, 100, e.size)
    normalize(e, j, y, "raw")
    messages = set()
    for lag in range(1, 6):
        jj = j.copy()
        jj[6 * 1000 + lag] = jj[6 * 1000]  # entry 1000: its first judge again, lag sheets on
        for perm in (np.arange(e.size), rng.permutation(e.size)):
            with pytest.raises(ValueError, match="duplicate") as info:
                normalize(e[perm], jj[perm], y[perm], "raw")
            messages.add(str(info.value))
    assert messages == {
        f"1 duplicate sheet(s): judge {j[6000]} scored entry 1000 more than once; keep one "
        "sheet per judge and entry"
    }
    big = np.r_[np.zeros(20, int), np.arange(1, 5000)]  # one entry with 20 sheets
    jb = np.r_[np.arange(20), np.arange(4999) % 20]
    normalize(big, jb, np.ones(big.size), "raw")
    jb[19] = 0
    with pytest.raises(ValueError, match="judge 0 scored entry 0"):
        normalize(big, jb, np.ones(big.size), "raw")
