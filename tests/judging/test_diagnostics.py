"""Tests of judging.diagnostics: judge offsets and flags, agreement, Krippendorff's alpha."""

import numpy as np
import pytest

from judging.diagnostics import agreement_with_others, judge_diagnostics, krippendorff_alpha


def panel(seed, n_entries=60, n_judges=10, per_entry=4, noise=3.0):
    rng = np.random.default_rng(seed)
    q = rng.normal(60.0, 10.0, n_entries)
    offset = rng.normal(0.0, 2.0, n_judges)
    judge = np.argsort(rng.random((n_entries, n_judges)), axis=1)[:, :per_entry].ravel()
    entry = np.repeat(np.arange(n_entries), per_entry)
    return rng, q, offset, entry, judge


def test_krippendorff_alpha_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders x 12 units
    # with missing values; the published interval alpha is 0.849.
    nan = np.nan
    data = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
        ]
    )
    judge, entry = np.nonzero(~np.isnan(data))
    assert krippendorff_alpha(entry, judge, data[judge, entry]) == pytest.approx(0.849, abs=5e-4)


def test_krippendorff_alpha_extremes():
    rng, q, _, entry, judge = panel(0)
    assert krippendorff_alpha(entry, judge, q[entry]) == pytest.approx(1.0)  # perfect agreement
    near = q[entry] + rng.normal(0, 0.1, entry.size)
    assert krippendorff_alpha(entry, judge, near) > 0.99
    noise = rng.normal(0, 10, entry.size)  # scores unrelated to the entry
    assert abs(krippendorff_alpha(entry, judge, noise)) < 0.15
    # hand example: two units, two coders each: values (1, 3) and (5, 5)
    # D_o = (1/4) * [ (1/1) * 2 * (1-3)^2 + 0 ] = 2
    # D_e: all 4 values 1, 3, 5, 5: sum over ordered pairs = 2 * (4*60 - 14^2) = 88,
    #      / (4 * 3) = 7.333; alpha = 1 - 2 / 7.333 = 0.7273
    assert krippendorff_alpha([0, 0, 1, 1], [0, 1, 0, 1], [1, 3, 5, 5]) == pytest.approx(
        1 - 2 / (88 / 12)
    )
    assert np.isnan(krippendorff_alpha([0, 1], [0, 0], [1.0, 2.0]))  # nothing pairable


@pytest.mark.parametrize("method", ["bias", "bias_scale", "zscore"])
def test_planted_harsh_judge_is_found(method):
    rng, q, offset, entry, judge = panel(1)
    offset[3] = -15.0  # judge 3 is very harsh
    score = q[entry] + offset[judge] + rng.normal(0, 3, entry.size)
    d = judge_diagnostics(entry, judge, score, method)
    assert d.offset[3] < -10
    assert np.argmin(d.offset) == 3
    assert d.harsh[3] and d.outlier[3]
    assert not d.lenient.any()
    assert d.harsh.sum() == 1
    assert d.method == method


def test_contrarian_judge_has_low_agreement_and_outlier_sheet_is_flagged():
    rng, q, offset, entry, judge = panel(2)
    score = q[entry] + offset[judge] + rng.normal(0, 3, entry.size)
    contrarian = judge == 5
    score[contrarian] = 120 - q[entry[contrarian]]  # judge 5 reverses the order
    bad = np.flatnonzero(judge != 5)[10]
    score[bad] += 40.0  # one wild sheet
    d = judge_diagnostics(entry, judge, score, "bias_scale")
    assert d.agreement[5] < 0 and d.low_agreement[5] and d.outlier[5]
    others = np.delete(d.agreement, 5)
    assert np.all(others > 0.6)
    assert d.sheet_outlier[bad]
    assert d.sheet_outlier.sum() <= 1 + contrarian.sum()
    assert 0 < d.alpha < 1


def test_noisy_judge_is_flagged_and_reliability_in_range():
    rng, q, offset, entry, judge = panel(3, n_entries=80)
    noise = np.full(10, 2.0)
    noise[7] = 15.0
    score = q[entry] + offset[judge] + rng.normal(0, 1, entry.size) * noise[judge]
    d = judge_diagnostics(entry, judge, score, "bias_scale")
    assert d.noisy[7] and d.noisy.sum() == 1
    assert np.argmin(d.reliability) == 7
    assert np.all((d.reliability >= 0) & (d.reliability <= 1))


def test_agreement_with_others_by_hand():
    # judge 0 and judge 1 both score entries 0..3; the "others" of a judge is the other judge
    entry = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    judge = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    score = np.array([1.0, 2.0, 3.0, 4.0, 2.0, 4.0, 6.0, 8.0])
    np.testing.assert_allclose(agreement_with_others(entry, judge, score), [1.0, 1.0])
    reversed_ = np.array([1.0, 2.0, 3.0, 4.0, 8.0, 6.0, 4.0, 2.0])
    np.testing.assert_allclose(agreement_with_others(entry, judge, reversed_), [-1.0, -1.0])
    # a judge with only 2 comparable sheets gets NaN
    a = agreement_with_others([0, 1, 0, 1], [0, 0, 1, 1], [1.0, 2.0, 1.0, 2.0])
    assert np.all(np.isnan(a))
