"""The round's combined final ranking: its scored stages (desk 40 %, presentation 30 %, field
30 %) combined with stage weights set by the committee, as the committee's *Final ranking* page,
the publication and the OPD's feedback read it from the database.

Each scored stage is normalized with its own method (``analysis.rank_arrays``), and its entry
scores, on the stage's rubric scale, are put on 0-100 (``100 * (score - scale_min) /
(scale_max - scale_min)``) so that a 1-10 desk rubric and a 0-100 presentation rubric weigh
exactly what their weights say. ``ranking.combine_stages`` then takes the weighted mean.

Who is in it (KIPP practice): only the entries that went through every weighted stage, i.e.
have a score in each scored stage whose weight is above 0 (``missing="nan"``). An entry that
stopped earlier (not advanced to the presentation, or never scored there) is not in the final
ranking and gets no place or award from it: it keeps its stage results, shown apart with the
stage scores it has. A stage weighted 0 is shown but neither counts nor is required.

Places are per category; ties are broken by the score of the heaviest stage, then the next
heaviest, and so on (a later stage first when two weigh the same).

Uncertainty (``combined_uncertainty``): every weighted stage's posterior draws of the judge
model (``analysis.uncertainty``, the same fit as the stage's ranking page) are put on 0-100 and
combined draw by draw with the weights (``ranking.combine_draws``); the combined draws give each
entry's range of likely places, its chance of a winning place, and which award cuts are decided.
The place shown is the combined ranking above; where it falls outside the model's range the
range is stretched to hold it (``ranking.range_with_place``, as on a stage's pages).

The parts: the arithmetic, without the database, is ``combined_math``; the stage weights
(which stages, their weights, which stage publishes the combination) are ``combined_weights``,
whose functions this module also offers under their names here; the check before publishing
(an award below a stage's pass mark, an undecided award cut) is ``combined_publish``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.db import db
from competition.entries.models import Entry
from competition.errors import InvalidState
from competition.rounds.models import Round, Stage
from judging.analysis import charts
from judging.analysis.combined_math import (
    StageColumn,
    combine,
    on_100,
    stage_draws,
    summarize_stage_draws,
)
from judging.analysis.combined_weights import (
    TOLERANCE,
    field_name,
    final_stage,
    publishes_combined,
    scored_stages,
    set_stage_weights,
    weights_of,
)
from judging.analysis.services import method_of, rank_arrays, scores_digest
from judging.analysis.stage_data import load_stage
from judging.analysis.uncertainty import DECIDED_HI, DECIDED_LO, LEVEL, Cut, stage_uncertainty
from judging.award_levels.services import levels_for
from judging.uncertainty import Decisions

__all__ = [
    "LABEL",
    "METHOD",
    "TIE_BREAK_RULE",
    "TOLERANCE",
    "WHO_IS_RANKED",
    "CombinedArrays",
    "CombinedCategory",
    "CombinedRanking",
    "CombinedRow",
    "CombinedUncertainty",
    "combined_arrays",
    "combined_cuts",
    "combined_ranking",
    "combined_uncertainty",
    "field_name",
    "final_stage",
    "load_entries",
    "publishes_combined",
    "scored_stages",
    "set_stage_weights",
    "weights_of",
]

METHOD = "combined"  # Publication.method of a combined publication


LABEL = _l("Weighted combination of the scored stages")


# Plain English, recorded in a publication's parameters (like ranking.TIE_BREAK_RULE).
TIE_BREAK_RULE = "Ties are broken by the score of the heaviest stage, then of the next one."


WHO_IS_RANKED = "only entries with a score in every stage weighted above 0"


@dataclass
class CombinedArrays:
    """The combined ranking as arrays over the entries scored in at least one stage.

    entry_ids, category_ids, combined, raw_combined, rank, n_sheets: (n,); stage_scores,
    stage_raw: (n, k) on 0-100 over ``stages`` (NaN: no score in that stage); rank 0 and
    combined NaN for entries outside the final ranking. ``digest`` identifies the input: SHA-256
    of one line per stage, ``stage_id<TAB>scores digest of that stage``."""

    stages: list[Stage]
    weights: list[float]
    entry_ids: np.ndarray
    category_ids: np.ndarray
    stage_scores: np.ndarray
    stage_raw: np.ndarray
    combined: np.ndarray
    raw_combined: np.ndarray
    rank: np.ndarray
    order: np.ndarray
    n_sheets: np.ndarray
    digest: str
    methods: dict[int, str] = field(default_factory=dict)


def combined_arrays(round_: Round) -> CombinedArrays:
    """Normalize each scored stage with its method, put the scores on 0-100, combine them with
    the round's weights (see the module docstring for who is ranked). Raises ``InvalidState``
    when the round has no stage weights."""
    weights = weights_of(round_)
    if weights is None:
        raise InvalidState(_l("Set the stage weights first."))
    stages = scored_stages(round_)
    columns = []
    for stage in stages:
        ranked = rank_arrays(stage, data=load_stage(stage))
        data, result = ranked.data, ranked.result
        cat_ids = np.array([c.id for c in data.categories], dtype=np.int64)
        has = result.n_sheets > 0
        columns.append(
            StageColumn(
                data.entry_ids[has],
                cat_ids[data.category[has]],
                on_100(result.entry_score[has], stage.scale_min, stage.scale_max),
                on_100(ranked.raw.entry_score[has], stage.scale_min, stage.scale_max),
                result.n_sheets[has],
                scores_digest(data)[0],
            )
        )
    c = combine([s.id for s in stages], columns, weights)
    return CombinedArrays(
        stages,
        weights,
        c.entry_ids,
        c.category_ids,
        c.scores,
        c.raw,
        c.combined,
        c.raw_combined,
        c.rank,
        c.order,
        c.n_sheets,
        c.digest,
        {s.id: method_of(s) for s in stages},
    )


@dataclass
class CombinedRow:
    entry: Entry
    rank: int
    combined: float
    stage_scores: list[float]
    rank_lo: int = 0
    rank_hi: int = 0
    p_top: float = float("nan")
    tied_with_next: bool = False
    interval_svg: str = ""
    undecided: list = field(default_factory=list)  # (Cut, p_in): award cuts it could swap across

    @property
    def reached(self) -> int:
        """How many stages the entry has a score in."""
        return sum(1 for s in self.stage_scores if s == s)


@dataclass
class CombinedCategory:
    category: object
    rows: list[CombinedRow]  # the final ranking, best first
    others: list[CombinedRow]  # not through every weighted stage: their stage results only


@dataclass
class CombinedRanking:
    round: Round
    stages: list[Stage]
    weights: list[float]
    categories: list[CombinedCategory]
    uncertainty: CombinedUncertainty | None = None


def combined_ranking(round_: Round) -> CombinedRanking:
    """The committee's final ranking page: per category, the ranked entries with each stage's
    score (0-100) and the combined score, then the entries outside the final ranking."""
    arrays = combined_arrays(round_)
    ids = arrays.entry_ids.tolist()
    found = load_entries(ids)
    unc = combined_uncertainty(round_, arrays)
    sizes = {}
    for c in arrays.category_ids[arrays.rank > 0].tolist():
        sizes[c] = sizes.get(c, 0) + 1
    cats = {c.id: CombinedCategory(c, [], []) for c in round_.categories}
    for i in arrays.order.tolist():
        row = CombinedRow(
            found[ids[i]],
            int(arrays.rank[i]),
            float(arrays.combined[i]),
            arrays.stage_scores[i].tolist(),
        )
        if unc.available and row.rank:
            row.rank_lo, row.rank_hi = int(unc.rank_lo[i]), int(unc.rank_hi[i])
            row.p_top = float(unc.p_top[i])
            row.tied_with_next = bool(unc.tied_with_next[i])
            if unc.decisions is not None:
                row.undecided = [
                    (cut, float(b.p_in[i]))
                    for cut, b in zip(unc.cuts, unc.decisions.boundaries)
                    if b.undecided[i]
                ]
            row.interval_svg = charts.rank_interval(
                row.rank_lo,
                row.rank_hi,
                row.rank,
                sizes[int(arrays.category_ids[i])],
                label=f"{row.rank_lo}-{row.rank_hi}",
            )
        target = cats[int(arrays.category_ids[i])]
        (target.rows if row.rank else target.others).append(row)
    for c in cats.values():  # outside the ranking: furthest first, then by title
        c.others.sort(key=lambda r: (-r.reached, r.entry.title))
    return CombinedRanking(
        round_,
        arrays.stages,
        arrays.weights,
        [c for c in cats.values() if c.rows or c.others],
        unc,
    )


@dataclass
class CombinedUncertainty:
    """The combined ranking's uncertainty (see the module docstring). Arrays over the
    ``CombinedArrays`` entries, None when not ``available``: ``rank_lo``, ``rank_hi`` (range of
    likely places holding the place shown; 0 outside the final ranking), ``widened`` (the range
    was stretched to the place), ``p_top`` (chance of a place <= ``top_n``), ``tied_with_next``;
    ``decisions`` at ``cuts``. ``computing``: a large stage's fit is still running;
    ``unmeasured``: in some weighted stage no entry has two judges (no range can be given)."""

    top_n: int
    cuts: list[Cut]
    rank_lo: np.ndarray | None = None
    rank_hi: np.ndarray | None = None
    widened: np.ndarray | None = None
    p_top: np.ndarray | None = None
    tied_with_next: np.ndarray | None = None
    decisions: Decisions | None = None
    computing: bool = False
    unmeasured: bool = False

    @property
    def available(self) -> bool:
        return self.rank_lo is not None


def combined_cuts(round_: Round) -> tuple[int, list[Cut]]:
    """``(top_n, cuts)``: the winners per category and the award levels of the final stage
    (the stage whose publication carries the combined ranking and its awards)."""
    final = final_stage(round_)
    top_n = max(1, final.winners_per_category) if final is not None else 1
    cuts = [Cut(top_n, "award")]
    for level in levels_for(final) if final is not None else []:
        if all(c.place != level.up_to_rank for c in cuts):
            cuts.append(Cut(level.up_to_rank, "level", level.title))
    return top_n, cuts


def combined_uncertainty(
    round_: Round, arrays: CombinedArrays, *, wait: bool = False
) -> CombinedUncertainty:
    """Ranges of likely places and decisions of the combined ranking from the stages' draws
    (``wait``: fit large stages now, as the CLI does, instead of reporting ``computing``)."""
    top_n, cuts = combined_cuts(round_)
    out = CombinedUncertainty(top_n, cuts)
    n = arrays.entry_ids.size
    w = np.asarray(arrays.weights, dtype=float)
    counted = w > 0
    per_stage = []
    for stage, use in zip(arrays.stages, counted.tolist()):
        if not use:
            continue
        unc = stage_uncertainty(stage, wait=wait)
        if unc.computing:
            out.computing = True
            return out
        if unc.result is None:  # no sheet yet: nothing to say
            return out
        if not unc.measurable:
            out.unmeasured = True
            return out
        draws = on_100(unc.result.score_draws.astype(float), stage.scale_min, stage.scale_max)
        per_stage.append(stage_draws(arrays.entry_ids, unc.data.entry_ids, draws))
    if not per_stage or n == 0:
        return out
    s = summarize_stage_draws(
        per_stage,
        w[counted],
        arrays.rank,
        arrays.combined,
        arrays.category_ids,
        level=LEVEL,
        top_n=top_n,
        cut_places=[c.place for c in cuts],
        decided_lo=DECIDED_LO,
        decided_hi=DECIDED_HI,
    )
    out.rank_lo, out.rank_hi, out.widened = s.rank_lo, s.rank_hi, s.widened
    out.p_top, out.tied_with_next, out.decisions = s.p_top, s.tied_with_next, s.decisions
    return out


def load_entries(ids: list[int]) -> dict[int, Entry]:
    """The entries of ``ids`` by id, with their organisation and category."""
    if not ids:
        return {}
    return {
        e.id: e
        for e in db.session.scalars(
            select(Entry)
            .where(Entry.id.in_(ids))
            .options(selectinload(Entry.organisation), selectinload(Entry.category))
        )
    }
