"""Tests of judging.normalize_graph: groups of linked judges."""

import numpy as np

from judging.normalize_graph import judge_graph_components


def test_graph_components_on_a_chain_and_isolated_nodes():
    # chain of judges 0-1-2-3 through entries, entry 5 without sheets, judge 5 isolated pair
    entry = np.array([0, 0, 1, 1, 2, 2, 3, 4])
    judge = np.array([3, 2, 2, 1, 1, 0, 0, 5])
    e, j, n = judge_graph_components(entry, judge, n_entries=6, n_judges=6)
    assert n == 2
    np.testing.assert_array_equal(e, [0, 0, 0, 0, 1, -1])
    np.testing.assert_array_equal(j, [0, 0, 0, 0, -1, 1])
