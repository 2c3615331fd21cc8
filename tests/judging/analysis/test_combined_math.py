"""The combined final ranking's arithmetic, without the database: 0-100, alignment by entry,
who is ranked, places per category with the heaviest stage breaking ties, the input digest,
and the stages' draws combined into ranges."""

import hashlib

import numpy as np
import pytest

from judging.analysis.combined_math import (
    StageColumn,
    combine,
    from_100,
    input_digest,
    on_100,
    stage_draws,
    summarize_stage_draws,
    tiebreak_order,
)


def _col(ids, cats, score, raw=None, sheets=None, digest="d"):
    ids = np.asarray(ids, dtype=np.int64)
    score = np.asarray(score, dtype=float)
    return StageColumn(
        ids,
        np.asarray(cats, dtype=np.int64),
        score,
        score if raw is None else np.asarray(raw, dtype=float),
        np.full(ids.size, 2) if sheets is None else np.asarray(sheets),
        digest,
    )


def test_on_100_and_back():
    assert on_100(np.array([1.0, 5.5, 10.0]), 1, 10).tolist() == [0.0, 50.0, 100.0]
    assert from_100(50.0, 1, 10) == 5.5
    assert on_100(7.0, 7, 7) == 0.0  # a rubric without a span counts as a span of 1
    x = np.array([0.3, 61.7, 99.9])
    np.testing.assert_allclose(on_100(from_100(x, 0, 4), 0, 4), x)


def test_tiebreak_order_heaviest_first_later_stage_first_among_equals():
    assert tiebreak_order([40, 30, 30]) == [0, 2, 1]
    assert tiebreak_order([20, 50, 30]) == [1, 2, 0]
    assert tiebreak_order([50, 50]) == [1, 0]


def test_combine_ranks_only_entries_through_every_weighted_stage():
    # entry 13 stopped after the desk; entry 11 has no field score but field weighs 0
    desk = _col([10, 11, 12, 13], [1, 1, 2, 1], [80, 60, 70, 90], sheets=[3, 3, 3, 3])
    pres = _col([10, 11, 12], [1, 1, 2], [50, 100, 40])
    field = _col([10, 12], [1, 2], [10, 20])
    c = combine([5, 6, 7], [desk, pres, field], [40, 60, 0])
    assert c.entry_ids.tolist() == [10, 11, 12, 13]
    assert c.category_ids.tolist() == [1, 1, 2, 1]
    np.testing.assert_allclose(c.combined[:3], [0.4 * 80 + 0.6 * 50, 0.4 * 60 + 60, 28 + 24])
    assert np.isnan(c.combined[3]) and c.rank[3] == 0  # not through the presentation
    assert c.rank[:3].tolist() == [2, 1, 1]  # places per category
    assert np.isnan(c.scores[1, 2]) and c.scores[0, 2] == 10  # shown, not required
    assert c.n_sheets.tolist() == [7, 5, 7, 3]
    assert c.digest == input_digest([5, 6, 7], ["d", "d", "d"])


def test_combine_breaks_ties_by_the_heaviest_stage():
    # equal combined scores: the entry better in the heavier stage (60 %) goes first
    desk = _col([1, 2], [0, 0], [70, 40])
    pres = _col([1, 2], [0, 0], [40, 60])
    c = combine([1, 2], [desk, pres], [40, 60])
    assert c.combined[0] == pytest.approx(c.combined[1])
    assert c.rank.tolist() == [2, 1]
    assert c.order.tolist() == [1, 0]


def test_combine_without_any_stage_column():
    c = combine([], [], [])
    assert c.entry_ids.size == 0 and c.combined.size == 0 and c.rank.size == 0


def test_input_digest_is_one_line_per_stage():
    text = "3\tabc\n4\tdef\n"
    assert input_digest([3, 4], ["abc", "def"]) == hashlib.sha256(text.encode()).hexdigest()
    assert input_digest([4, 3], ["def", "abc"]) != input_digest([3, 4], ["abc", "def"])


def test_stage_draws_are_placed_by_entry():
    draws = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out = stage_draws(np.array([10, 20, 30, 40]), np.array([20, 40, 99]), draws)
    assert out.shape == (2, 4)
    np.testing.assert_array_equal(out[:, 1], [1, 4])
    np.testing.assert_array_equal(out[:, 3], [2, 5])
    assert np.isnan(out[:, [0, 2]]).all()  # not scored in the stage; 99 is left out


def test_summarize_stage_draws_holds_the_place_and_decides_clear_cuts():
    rng = np.random.default_rng(0)
    # five entries, two stages: entries 0-1 far ahead, 2-4 close; entry 4 not in stage 2
    means = np.array([[90, 88, 60, 59, 58], [91, 89, 61, 60, np.nan]])
    per_stage = [m + rng.normal(0, 1, (n, 5)) for m, n in zip(means, (400, 300))]
    desk = _col([0, 1, 2, 3, 4], [0] * 5, means[0])
    pres = _col([0, 1, 2, 3], [0] * 4, means[1, :4])
    c = combine([1, 2], [desk, pres], [50, 50])
    s = summarize_stage_draws(
        per_stage,
        [50, 50],
        c.rank,
        c.combined,
        c.category_ids,
        level=0.9,
        top_n=2,
        cut_places=[2],
        decided_lo=0.1,
        decided_hi=0.9,
    )
    ranked = c.rank > 0
    assert (s.rank_lo[ranked] <= c.rank[ranked]).all()
    assert (c.rank[ranked] <= s.rank_hi[ranked]).all()
    assert s.rank_lo[4] == 0 and s.rank_hi[4] == 0  # outside the final ranking
    assert s.p_top[:2] == pytest.approx([1.0, 1.0]) and (s.p_top[2:4] == 0).all()
    (boundary,) = s.decisions.boundaries
    assert not boundary.undecided[ranked].any()  # the top-2 cut is clear
