"""Tests of judging.normalize_graph: groups of linked judges."""

import numpy as np
import pytest

import judging.normalize_graph as ng
from judging.normalize_graph import judge_graph_components


def test_graph_components_on_a_chain_and_isolated_nodes():
    # chain of judges 0-1-2-3 through entries, entry 5 without sheets, judge 5 isolated pair
    entry = np.array([0, 0, 1, 1, 2, 2, 3, 4])
    judge = np.array([3, 2, 2, 1, 1, 0, 0, 5])
    e, j, n = judge_graph_components(entry, judge, n_entries=6, n_judges=6)
    assert n == 2
    np.testing.assert_array_equal(e, [0, 0, 0, 0, 1, -1])
    np.testing.assert_array_equal(j, [0, 0, 0, 0, -1, 1])


def _components_by_search(entry, judge, n_entries, n_judges):
    """The groups by a plain breadth-first search over the sheets, numbered in order of each
    group's lowest entry index (the reference for the vectorized union-find)."""
    by_entry, by_judge = {}, {}
    for e, j in zip(entry.tolist(), judge.tolist()):
        by_entry.setdefault(e, []).append(j)
        by_judge.setdefault(j, []).append(e)
    e_comp, j_comp = [-1] * n_entries, [-1] * n_judges
    n = 0
    for start in range(n_entries):
        if e_comp[start] >= 0 or start not in by_entry:
            continue
        e_comp[start], todo = n, [start]
        while todo:
            for j in by_entry[todo.pop()]:
                if j_comp[j] < 0:
                    j_comp[j] = n
                    for e in by_judge[j]:
                        if e_comp[e] < 0:
                            e_comp[e] = n
                            todo.append(e)
        n += 1
    return e_comp, j_comp, n


@pytest.mark.parametrize("chunk", [1, 7, 1 << 14])
def test_graph_components_match_a_plain_search(chunk, monkeypatch):
    """Panels scored apart (some joined by a few sheets), shuffled or in order, chains and
    random stages, with edges taken in chunks of every size (``_EDGE_CHUNK``): the same groups
    and numbering as a breadth-first search."""
    monkeypatch.setattr(ng, "_EDGE_CHUNK", chunk)
    for seed in range(40):
        rng = np.random.default_rng(seed)
        kind = seed % 4
        if kind == 0:  # random stage
            n_e, n_j = int(rng.integers(1, 200)), int(rng.integers(1, 40))
            pairs = {(int(rng.integers(n_e)), int(rng.integers(n_j))) for _ in range(3 * n_e)}
            entry, judge = (np.array(x) for x in zip(*sorted(pairs)))
        elif kind == 1:  # a chain of judges through entries
            n = int(rng.integers(2, 300))
            entry, judge = np.repeat(np.arange(n), 2), (np.arange(2 * n) + 1) // 2
        else:  # panels of `per` entries and `k` judges each, a few sheets across panels
            p, per, k = int(rng.integers(2, 30)), int(rng.integers(1, 20)), int(rng.integers(1, 5))
            entry = np.repeat(np.arange(p * per), k)
            judge = (np.arange(p * per)[:, None] // per * k + np.arange(k)).ravel()
            if kind == 3:
                judge[:: int(rng.integers(20, 200))] = rng.integers(0, p * k)
                key = np.unique(entry * 1000 + judge)
                entry, judge = key // 1000, key % 1000
        order = rng.permutation(entry.size) if seed % 3 else np.arange(entry.size)
        entry, judge = entry[order], judge[order]
        n_e, n_j = int(entry.max()) + 3, int(judge.max()) + 2  # some without sheets
        e, j, n = judge_graph_components(entry, judge, n_entries=n_e, n_judges=n_j)
        e_ref, j_ref, n_ref = _components_by_search(entry, judge, n_e, n_j)
        assert n == n_ref, seed
        np.testing.assert_array_equal(e, e_ref)
        np.testing.assert_array_equal(j, j_ref)
