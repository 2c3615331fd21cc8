"""Tests of judging.normalize_bias: the additive judge-bias model, by hand and on simulated panels."""

import numpy as np

from judging.normalize import normalize, raw
from tests.judging.normalize_cases import CHAIN, simulate


def test_bias_without_shrinkage_recovers_exact_offsets():
    r = normalize(*CHAIN, "bias", shrinkage=0)
    # offsets sum to zero: -2 and +2; qualities 10+2, (20+2 + 24-2)/2, 34-2
    np.testing.assert_allclose(r.judge_offset, [-2, 2], atol=1e-8)
    np.testing.assert_allclose(r.entry_score, [12, 22, 32], atol=1e-8)
    np.testing.assert_allclose(r.sheet_score, [12, 22, 22, 32], atol=1e-8)
    # raw would say 10, 22, 34: the correction matters
    np.testing.assert_allclose(raw(*CHAIN).entry_score, [10, 22, 34])


def test_bias_shrinkage_by_hand():
    # Ridge lam = 1 (one pseudo-sheet of zero bias per judge). Normal equations:
    #   (2 + 1) a0 = (10 - q0) + (20 - q1),  q0 = 10 - a0   =>  2 a0 = 20 - q1
    #   (2 + 1) a1 = (24 - q1) + (34 - q2),  q2 = 34 - a1   =>  2 a1 = 24 - q1
    #   q1 = (20 - a0 + 24 - a1) / 2 = 22 - (a0 + a1) / 2
    # => a1 = a0 + 2, 3 a0 - a1 = -4 => a0 = -1, a1 = 1; q = 11, 22, 33
    r = normalize(*CHAIN, "bias", shrinkage=1)
    np.testing.assert_allclose(r.judge_offset, [-1, 1], atol=1e-8)
    np.testing.assert_allclose(r.entry_score, [11, 22, 33], atol=1e-8)


def test_bias_default_shrinks_judge_with_one_sheet():
    entry, judge, score, q, offset = simulate(0, n_judges=6)
    # an extra judge, 20 points lenient, with a single sheet
    entry = np.append(entry, 0)
    judge = np.append(judge, 6)
    score = np.append(score, q[0] + 20.0)
    r = normalize(entry, judge, score, "bias")
    assert 0 < r.judge_offset[6] < 20  # shrunk towards 0
    assert abs(np.nansum(r.judge_offset)) < 1e-6  # offsets sum to zero
    assert r.judge_n_sheets[6] == 1
    assert np.all(np.isfinite(r.entry_se))
