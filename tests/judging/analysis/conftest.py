"""Fixtures of the combined final ranking's tests (test_combined*.py): rounds with two scored
stages, scored through the judges' services; a stage scored by panels of judges, one of them
strict (``score_by_panels``: the ranking, uncertainty and extra-judge pages); and the process
caches emptied as a new worker process starts (the shared cache's tests)."""

from __future__ import annotations

import pytest

from competition.db import db, utcnow
from judging.analysis import combined_weights, ranking_cache, stage_arrays
from judging.analysis import uncertainty as unc_service
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories


def forget_this_process():
    """What a new worker process starts with: no cached arrays, fits, rankings or decisions."""
    stage_arrays.clear_arrays_cache()
    ranking_cache._MEMO.clear()
    unc_service._CACHE.clear()
    unc_service._DECISIONS.clear()


@pytest.fixture
def cold_caches():
    """Each test starts and ends with empty process caches (``forget_this_process``)."""
    forget_this_process()
    yield
    forget_this_process()


def score_by_panels(round_, *, quality, panels, offset, judge_names):
    """A stage of ``round_`` with one criterion ("Mutu", 100): each entry (``quality``: title ->
    its quality) submitted by an OPD of its own and scored by its panel (``panels``: title ->
    indices into ``judge_names``), each judge adding its ``offset``; committed."""
    stage = factories.make_stage(round_, criteria=[("Mutu", 100)])
    judges = [
        factories.make_user(role="judge", username=f"j{i}", name=name)
        for i, name in enumerate(judge_names)
    ]
    criterion = rubric_service.list_criteria(stage)[0]
    for title, value in quality.items():
        opd = factories.make_opd_user(f"OPD {title}", username=title.lower())
        entry = factories.make_entry(round_, opd, title=title)
        for j in panels[title]:
            sheet_service.save_sheet(
                assignment=factories.make_assignment(stage, entry, judges[j]),
                submit=True,
                actor=judges[j],
                now=utcnow(),
                inputs={criterion.id: sheet_service.CriterionInput(value + offset[j])},
            )
    db.session.commit()
    return stage


DESK = [9, 8, 7, 6, 5, 4]  # scale 1-10, six entries
PRESENTATION = [60, 90, 70, 80]  # scale 0-100, only the first four reached it


def _score(stage, entries, values, judges):
    criteria = rubric_service.list_criteria(stage)
    for entry, value in zip(entries, values):
        for judge in judges:
            a = factories.make_assignment(stage, entry, judge)
            sheet_service.save_sheet(
                assignment=a,
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={c.id: sheet_service.CriterionInput(float(value)) for c in criteria},
            )


@pytest.fixture
def two_stages(app, committee, open_round, cached_data):
    """Built once per module and copied (see ``cached_data``)."""

    def build():
        desk = factories.make_stage(open_round, method="raw")
        presentation = factories.make_stage(open_round, method="raw")
        presentation.name, presentation.scale_min, presentation.scale_max = "Presentasi", 0, 100
        judges = [factories.make_user(role="judge", username=f"penilai{i}") for i in range(2)]
        entries = [
            factories.make_entry(
                open_round,
                factories.make_opd_user(f"OPD {i}", username=f"opd{i}"),
                title=f"Inovasi {i}",
            )
            for i in range(len(DESK))
        ]
        _score(desk, entries, DESK, judges)
        _score(presentation, entries, PRESENTATION, judges)
        db.session.commit()
        return desk, presentation, entries

    return cached_data(build)


@pytest.fixture
def three_judges(app, committee, open_round, cached_data):
    """``make(desk_marks, field_marks)``: two stages (scale 1-10, weights 50/50) of five
    entries, each scored by the same three judges (built once per module and pair of marks,
    then copied: see ``cached_data``)."""
    unc_service._CACHE.clear()

    def make(desk_marks, field_marks):
        def build():
            desk = factories.make_stage(open_round)
            field = factories.make_stage(open_round)
            field.name = "Peninjauan Lapangan"
            judges = [factories.make_user(role="judge", username=f"juri{i}") for i in range(3)]
            entries = [
                factories.make_entry(
                    open_round,
                    factories.make_opd_user(f"OPD {i}", username=f"dinas{i}"),
                    title=f"Inovasi {i}",
                )
                for i in range(5)
            ]
            for stage, marks in ((desk, desk_marks), (field, field_marks)):
                criteria = rubric_service.list_criteria(stage)
                for entry, values in zip(entries, marks):
                    for judge, value in zip(judges, values):
                        a = factories.make_assignment(stage, entry, judge)
                        sheet_service.save_sheet(
                            assignment=a,
                            submit=True,
                            actor=judge,
                            now=utcnow(),
                            inputs={
                                c.id: sheet_service.CriterionInput(float(value)) for c in criteria
                            },
                        )
            combined_weights.set_stage_weights(
                round_=open_round, weights={desk.id: 50, field.id: 50}, actor=committee
            )
            db.session.commit()
            return desk, field, entries

        return cached_data(build, desk_marks, field_marks)

    yield make
    unc_service._CACHE.clear()
