"""The pure assignment planner (judging.assign): no app needed."""

import numpy as np
import pytest

from judging.assign import describe, plan


@pytest.mark.parametrize("seed", range(40))
def test_plan_respects_conflicts_k_balance_and_connection(seed):
    rng = np.random.default_rng(seed)
    n_entries, n_judges = int(rng.integers(4, 60)), int(rng.integers(4, 15))
    # (k below the number of judges minus one: with k = n_judges every judge takes every
    # entry they may, and conflicts alone decide the loads.)
    k = int(rng.integers(2, min(3, n_judges - 2) + 1))
    # About one pair in ten is a conflict of interest.
    allowed = rng.random((n_entries, n_judges)) > 0.1
    p = plan(allowed, k, seed=seed)
    assert not (p.assigned & ~allowed).any()
    assert (p.coverage == np.minimum(k, allowed.sum(1))).all()
    assert p.load_spread <= 1
    # A connected graph of judges with balanced loads needs enough shared slots: with fewer
    # than n_entries + n_judges - 1 assignments no assignment at all could connect them.
    if n_entries * (k - 1) >= n_judges:
        assert p.n_components == 1


def test_plan_keeps_fixed_pairs_and_prefers_current_ones():
    allowed = np.ones((12, 5), dtype=bool)
    first = plan(allowed, 2, seed=1)
    # Two of the planned pairs were scored since: they are fixed.
    fixed = np.zeros_like(allowed)
    for i, j in list(zip(*np.nonzero(first.assigned)))[:2]:
        fixed[i, j] = True
    again = plan(allowed, 2, fixed=fixed, prefer=first.assigned & ~fixed, seed=1)
    assert again.assigned[fixed].all()
    assert (again.coverage == 2).all()
    # Without any change, a re-run preferring the current pairs changes nothing.
    assert (again.assigned == first.assigned).all()
    # A new judge: the re-run levels the loads by moving a few entries to them only.
    allowed = np.ones((12, 6), dtype=bool)
    fixed6 = np.zeros_like(allowed)
    fixed6[:, :5] = fixed
    prefer6 = np.zeros_like(allowed)
    prefer6[:, :5] = first.assigned & ~fixed
    grown = plan(allowed, 2, fixed=fixed6, prefer=prefer6, seed=1)
    assert grown.load_spread <= 1 and (grown.coverage == 2).all()
    assert (grown.assigned[:, :5] != first.assigned).sum() == grown.load[5]


def test_plan_connects_judges_a_greedy_pass_would_split():
    # Two blocks of entries, each allowed to only half of the judges, plus one entry that
    # everybody may judge: the only way to link the halves is through shared entries.
    allowed = np.zeros((9, 4), dtype=bool)
    allowed[:4, :2] = True
    allowed[4:8, 2:] = True
    allowed[8, :] = True
    p = plan(allowed, 2, seed=0)
    assert not (p.assigned & ~allowed).any()
    assert (p.coverage == 2).all()
    assert p.n_components == 1 or not allowed[8].all()


def test_plan_reports_entries_short_of_judges():
    allowed = np.ones((3, 3), dtype=bool)
    allowed[0, :2] = False
    p = plan(allowed, 2, seed=0)
    assert list(p.short) == [0]
    assert p.coverage[0] == 1


def test_describe_counts_overlap_pairs():
    a = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0]], dtype=bool)
    d = describe(a, 2)
    assert d.overlap_pairs == 2 and d.n_components == 1
    assert list(d.load) == [2, 2, 1]
