"""The stage weights of the combined final ranking: given for every scored stage, together
100 %, all empty to clear; the last scored stage publishes the combination."""

from __future__ import annotations

import pytest

from competition.db import db
from competition.errors import InvalidFields, InvalidState
from judging.analysis import combined_weights
from tests import factories


def test_weights_must_be_given_for_every_stage_and_make_100(app, committee, two_stages):
    desk, presentation, _ = two_stages
    round_ = desk.round
    for bad in (
        {desk.id: 40, presentation.id: 50},
        {desk.id: -10, presentation.id: 110},
        {desk.id: 100, presentation.id: None},
    ):
        with pytest.raises(InvalidFields):
            combined_weights.set_stage_weights(round_=round_, weights=bad, actor=committee)
        db.session.rollback()
    assert combined_weights.weights_of(round_) is None
    combined_weights.set_stage_weights(
        round_=round_, weights={desk.id: 33.33, presentation.id: 66.67}, actor=committee
    )
    assert combined_weights.weights_of(round_) == [33.33, 66.67]
    combined_weights.set_stage_weights(
        round_=round_, weights={}, actor=committee
    )  # all empty: clear
    assert combined_weights.weights_of(round_) is None


def test_one_scored_stage_has_nothing_to_combine(app, committee, open_round):
    stage = factories.make_stage(open_round)
    with pytest.raises(InvalidState):
        combined_weights.set_stage_weights(
            round_=open_round, weights={stage.id: 100}, actor=committee
        )


def test_last_scored_stage_publishes_the_combination(app, committee, open_round):
    desk = factories.make_stage(open_round)
    field = factories.make_stage(open_round)
    skipped = factories.make_stage(open_round)
    skipped.is_skipped = True
    assert combined_weights.scored_stages(open_round) == [desk, field]
    assert combined_weights.final_stage(open_round) is field
    assert not combined_weights.publishes_combined(field)  # no weights yet
    combined_weights.set_stage_weights(
        round_=open_round, weights={desk.id: 40, field.id: 60}, actor=committee
    )
    assert combined_weights.weights_of(open_round) == [40, 60]
    assert combined_weights.publishes_combined(field)
    assert not combined_weights.publishes_combined(desk)
    assert combined_weights.field_name(desk) == f"weight_{desk.id}"


def test_weights_must_make_100_within_a_hundredth(app, committee, open_round):
    stages = [factories.make_stage(open_round) for _ in range(3)]
    combined_weights.set_stage_weights(
        round_=open_round,
        weights=dict(zip([s.id for s in stages], [33.33, 33.33, 33.34])),
        actor=committee,
    )
    assert combined_weights.weights_of(open_round) == [33.33, 33.33, 33.34]
    with pytest.raises(InvalidFields):
        combined_weights.set_stage_weights(
            round_=open_round,
            weights=dict(zip([s.id for s in stages], [33.3, 33.3, 33.3])),
            actor=committee,
        )
