"""Tests of judging.normalize_sums: the fast sums over sheets give the same bits as np.bincount."""

import numpy as np
import pytest

import judging.normalize_bias as nb
import judging.normalize_bias_scale as nbs
import judging.normalize_sums as nz
from judging.normalize import normalize
from judging.normalize_core import _check
from judging.normalize_sums import _entry_slots, _entry_sums
from tests.judging.normalize_cases import FIT_FIELDS, design


@pytest.mark.parametrize("method", ["bias_scale", "bias"])
def test_entry_slot_sums_give_the_same_bits_as_bincount(method, monkeypatch):
    """The fits sum over each entry's sheets through a (slot, entry) table
    (``_entry_sums``) when it is compact, else with ``np.bincount``: both add the same values
    in the same order, so every field is identical to the last bit, on regular, ragged,
    shuffled, holed, split and flat-judge designs."""
    kinds = ("random", "regular", "unsorted", "holes", "groups", "flat")
    for seed in range(36):
        rng = np.random.default_rng(seed)
        entry, judge, y, n_e = design(rng, kinds[seed % len(kinds)])
        n = {"n_entries": n_e + 2} if seed % 4 == 0 else {}
        monkeypatch.setattr(nz, "_SLOTS_MIN_SHEETS", 0)  # the table even for small stages
        monkeypatch.setattr(nz, "_SLOTS_MAX_FILL", 2.0)
        fast = normalize(entry, judge, y, method, **n)
        monkeypatch.setattr(nz, "_SLOTS_MAX_FILL", 0.0)  # never the table: np.bincount
        plain = normalize(entry, judge, y, method, **n)
        assert (fast.n_iter, fast.converged) == (plain.n_iter, plain.converged)
        for f in FIT_FIELDS:
            a, b = getattr(fast, f), getattr(plain, f)
            assert np.array_equal(a, b, equal_nan=True), (seed, f)
            assert np.array_equal(np.signbit(a), np.signbit(b)), (seed, f)


def test_entry_slots_lay_out_each_entry_in_input_order(monkeypatch):
    monkeypatch.setattr(nz, "_SLOTS_MIN_SHEETS", 0)

    entry = np.array([2, 0, 2, 1, 2, 0])
    judge = np.array([0, 1, 1, 2, 2, 0])
    d = _check(entry, judge, np.arange(6.0), n_entries=4)
    slots = _entry_slots(d)
    # rows are slots, columns entries; padding is the judge index n_judges = 3
    np.testing.assert_array_equal(slots.judge, [[1, 2, 0, 3], [0, 3, 1, 3], [3, 3, 2, 3]])
    v = np.array([1.0, 10.0, 100.0])
    np.testing.assert_array_equal(_entry_sums(d, v), [11.0, 100.0, 111.0, 0.0])
    y = np.arange(6.0)  # entry 0: sheets 1 and 5, entry 1: sheet 3, entry 2: sheets 0, 2, 4
    np.testing.assert_array_equal(
        _entry_sums(d, v, y), [10 * 1 + 1 * 5, 100 * 3, 0 + 10 * 2 + 100 * 4, 0]
    )
    many = _check(np.r_[np.zeros(9, int), 1, 2, 3], np.arange(12), np.ones(12))
    assert _entry_slots(many) is None  # 9 slots x 4 entries > 2 cells per sheet


@pytest.mark.parametrize("method", ["bias_scale", "bias"])
def test_blocks_of_sheets_give_the_same_bits_as_one_pass(method, monkeypatch):
    """The elementwise passes of the fits (leave-one-out residuals, the scale step's products)
    go in blocks of ``_BLOCK`` sheets: blocks of 7 sheets (entries cut across blocks, some
    blocks with single-sheet entries whose residuals do not count) give every field identical
    to one block of all the sheets, on the designs above."""
    kinds = ("random", "regular", "unsorted", "holes", "groups", "flat")
    for seed in range(24):
        rng = np.random.default_rng(seed)
        entry, judge, y, n_e = design(rng, kinds[seed % len(kinds)])
        runs = []
        for block in (10**9, 7):
            monkeypatch.setattr(nb, "_BLOCK", block)
            monkeypatch.setattr(nbs, "_BLOCK", block)
            runs.append(normalize(entry, judge, y, method))
        one, many = runs
        assert (one.n_iter, one.converged) == (many.n_iter, many.converged)
        for f in FIT_FIELDS:
            a, b = getattr(one, f), getattr(many, f)
            assert np.array_equal(a, b, equal_nan=True), (seed, f)
            assert np.array_equal(np.signbit(a), np.signbit(b)), (seed, f)


def test_leave_one_out_residuals_in_blocks_match_the_formula():
    """Per sheet ``(y - a_j - s_j z_-i)^2 - s_j^2 / (D_e - w_j s_j^2)`` with ``z_-i`` the
    entry's consensus without the sheet, 0 for a sheet alone on its entry (not valid), in
    blocks of 3 sheets."""
    entry = np.array([0, 0, 0, 1, 2, 2, 1, 3])
    judge = np.array([0, 1, 2, 0, 1, 2, 1, 2])
    y = np.array([1.0, -2.0, 0.5, 3.0, 1.5, -1.0, 2.0, 4.0])
    a, s, w = np.array([0.3, -0.2, 0.1]), np.array([0.8, 1.0, 1.25]), np.array([2.0, 1.0, 0.5])
    d = _check(entry, judge, y, n_entries=4)
    wsj = w * s
    D = np.bincount(entry, weights=(wsj * s)[judge], minlength=4)
    num = np.bincount(entry, weights=wsj[judge] * (y - a[judge]), minlength=4)
    old = nb._BLOCK
    try:
        nb._BLOCK = 3
        r2, valid = nb._loo_from_sums(d, y, a, s, wsj, D, num)
    finally:
        nb._BLOCK = old
    expect, counts = [], []
    for i in range(y.size):
        e, j = entry[i], judge[i]
        rest = (entry == e) & (np.arange(y.size) != i)
        if not rest.any():
            expect.append(0.0)
            counts.append(False)
            continue
        k = judge[rest]
        z = np.sum(w[k] * s[k] * (y[rest] - a[k])) / np.sum(w[k] * s[k] ** 2)
        expect.append((y[i] - a[j] - s[j] * z) ** 2 - s[j] ** 2 / np.sum(w[k] * s[k] ** 2))
        counts.append(True)
    np.testing.assert_allclose(r2, expect, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(valid, counts)


def test_every_sheet_counts_is_told_per_entry(monkeypatch):
    """``_all_count``: every sheet's ``D_e - (w s^2)_j`` above the entry's threshold, told from
    the entry's largest ``w s^2``; an entry with one sheet, a judge who carries nearly all of
    an entry's weight, or a NaN weight fail it (the sheets are then checked one by one)."""
    monkeypatch.setattr(nz, "_SLOTS_MIN_SHEETS", 0)
    entry = np.array([0, 0, 1, 1, 1, 2, 2])
    judge = np.array([0, 1, 0, 1, 2, 1, 2])
    d = _check(entry, judge, np.zeros(7), n_entries=4)  # entry 3 has no sheets

    def counts(wss):
        D = np.bincount(entry, weights=wss[judge], minlength=4)
        return nb._all_count(d, wss, D, 1e-9 * np.maximum(D, 1e-300))

    assert counts(np.array([1.0, 2.0, 3.0]))
    assert not counts(np.array([1.0, 1e-12, 1e-12]))  # entry 0 without judge 0: next to 0
    assert not counts(np.array([1.0, np.nan, 3.0]))
    single = _check(np.array([0, 0, 1]), np.array([0, 1, 2]), np.zeros(3))
    D = np.array([3.0, 3.0])
    assert not nb._all_count(single, np.array([1.0, 2.0, 3.0]), D, 1e-9 * D)
