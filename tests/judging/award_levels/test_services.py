"""``judging.award_levels.services``: presets, the defaults of a stage without levels, setting
a round's levels and the level a place earns. (Choosing them on the results page and what a
publication gives is tested with the results, ``tests/judging/results/test_publishing.py``.)"""

import pytest

from competition.db import db
from competition.errors import InvalidState
from judging.award_levels import services as award_levels
from judging.award_levels.services import PRESETS, Level
from tests import factories


def test_award_for_gives_the_first_level_covering_the_place():
    city, national = PRESETS["city"], PRESETS["national"]
    assert [award_levels.award_for(r, city).title for r in (1, 2, 3, 4, 5)] == [
        "Juara I",
        "Juara II",
        "Juara III",
        "Harapan I",
        "Harapan II",
    ]
    assert award_levels.award_for(6, city) is None
    assert award_levels.award_for(0, city) is None and award_levels.award_for(-1, city) is None
    assert award_levels.award_for(4, national).title == "Top 45"
    assert award_levels.award_for(34, national) is None
    assert award_levels.award_for(1, []) is None


def test_default_levels_are_terbaik_in_roman_numerals(app, open_round):
    stage = factories.make_stage(open_round)
    stage.winners_per_category = 3
    assert award_levels.default_levels(stage) == [
        Level("Terbaik I", 1),
        Level("Terbaik II", 2),
        Level("Terbaik III", 3),
    ]
    stage.winners_per_category = 11
    assert award_levels.default_levels(stage)[-2:] == [
        Level("Terbaik X", 10),
        Level("Terbaik 11", 11),
    ]
    stage.winners_per_category = 0
    assert award_levels.default_levels(stage) == []


def test_set_levels_replaces_the_rounds_levels(app, committee, open_round):
    stage = factories.make_stage(open_round)
    assert award_levels.levels_for(stage) == award_levels.default_levels(stage)
    award_levels.set_levels(round_=open_round, levels=PRESETS["national"], actor=committee)
    award_levels.set_levels(round_=open_round, levels=PRESETS["city"], actor=committee)
    db.session.commit()
    rows = award_levels.list_levels(open_round)
    assert [(r.position, r.title) for r in rows] == [
        (0, "Juara I"),
        (1, "Juara II"),
        (2, "Juara III"),
        (3, "Harapan I"),
        (4, "Harapan II"),
    ]
    assert award_levels.levels_for(stage) == PRESETS["city"]
    other = factories.make_round(name="KIPP 2026")
    assert award_levels.list_levels(other) == []  # levels are per round


@pytest.mark.parametrize(
    "levels",
    [
        [Level("Top 45", 15), Level("Top 99", 15)],  # not more places than the one before
        [Level("Top 99", 33), Level("Top 45", 15)],  # out of order
        [Level("Nol", 0)],
    ],
)
def test_set_levels_refuses_bounds_that_do_not_grow(app, committee, open_round, levels):
    award_levels.set_levels(round_=open_round, levels=PRESETS["national"], actor=committee)
    with pytest.raises(InvalidState):
        award_levels.set_levels(round_=open_round, levels=levels, actor=committee)
    assert [r.title for r in award_levels.list_levels(open_round)] == [
        lv.title for lv in PRESETS["national"]
    ]
