"""Tests of judging.normalize_posterior: the input checks of the uncertainty core and the Gibbs
sampler of the judge model (its calibration is tested through judging.ranking in
test_uncertainty.py)."""

import numpy as np
import pytest

from judging.normalize_core import MAX_FREE_INDEX
from judging.normalize_posterior import check_sheets, default_sweeps, sample_posterior
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
