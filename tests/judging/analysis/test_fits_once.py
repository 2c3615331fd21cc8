"""The ``fits_once`` fixture (tests/conftest.py): a stage fit asked for again with the same
input is the first one's copy, equal to what the sampler gives; any other input is sampled."""

import numpy as np
import pytest

from judging import ranking
from judging.analysis import uncertainty as unc_service

pytestmark = pytest.mark.usefixtures("fits_once")

ENTRY = np.array([0, 0, 1, 1, 2, 2])
JUDGE = np.array([0, 1, 1, 2, 0, 2])
SCORE = np.array([70.0, 75.0, 60.0, 58.0, 80.0, 90.0])


def _fit(score, seed=1):
    return unc_service.rank_uncertainty(
        ENTRY,
        JUDGE,
        score,
        n_entries=3,
        n_judges=3,
        scale_min=0,
        scale_max=100,
        seed=seed,
        n_draws=40,
    )


def test_the_same_input_is_sampled_once_and_handed_out_as_copies(fits_once):
    first = _fit(SCORE)
    again = _fit(SCORE.copy())
    assert len(fits_once) == 1
    assert again is not first and again.score_draws is not first.score_draws
    real = ranking.rank_uncertainty(
        ENTRY,
        JUDGE,
        SCORE,
        n_entries=3,
        n_judges=3,
        scale_min=0,
        scale_max=100,
        seed=1,
        n_draws=40,
    )
    for got in (first, again):
        np.testing.assert_array_equal(got.score_draws, real.score_draws)
        np.testing.assert_array_equal(got.rank_lo, real.rank_lo)
    again.score_draws[:] = 0  # a test changing its copy changes no other test's
    np.testing.assert_array_equal(_fit(SCORE).score_draws, real.score_draws)


def test_another_input_or_seed_is_sampled(fits_once):
    base = _fit(SCORE)
    n = len(fits_once)
    changed = SCORE.copy()
    changed[0] += 1
    assert not np.array_equal(_fit(changed).score_draws, base.score_draws)
    assert len(fits_once) == n + 1
    assert not np.array_equal(_fit(SCORE, seed=2).score_draws, base.score_draws)
    assert len(fits_once) == n + 2
